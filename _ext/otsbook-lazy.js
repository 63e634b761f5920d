/* _static/otsbook-lazy.js (copied there by _ext/otsbook_build.py): draws the book's figures and widgets once the page has painted, when they come near the screen.
 *
 * The build (_ext/otsbook_build.py) turns each plotly figure's drawing code into an inert
 * <script type="application/vnd.otsbook.plotly+js"> block and loads this file (deferred) with:
 *   data-plotly-modules, data-plotly-traces   folder of the book's split plotly.js (ES modules:
 *                  core.js, trace-<type>.js) and the trace types this page draws; or
 *   data-plotly    URL of the full plotly.min.js, for a page that draws a trace type the split
 *                  bundle does not have
 *   data-topojson  folder of the map outlines
 *   data-widgets   URL of the ipywidgets manager (embed.js), on pages that saved widget state
 * Nothing is fetched before the page has loaded and the browser is idle, so that the text paints
 * and answers first. Then plotly.js is fetched when the first figure comes within 200 px of the
 * viewport, and figures are drawn in document order as they arrive. Printing draws everything.
 * Browsers without IntersectionObserver draw everything at once. The page's root element gets
 * data-otsbook-lazy="ready" once the observers watch (tests scroll after that).
 *
 * Widgets: the build has already drawn each saved widget as plain HTML (a .ots-widget-static
 * block before the view's <script>, see _ext/widget_snapshot.py), so an exercise shows, and its
 * controls work, with no script at all. The widget manager (1.8 MB) is fetched only once the
 * reader engages with the page (scrolls, points, types or touches) and a widget is on screen; each
 * live widget then takes its static drawing's place, with what the reader chose there carried
 * over; a drawing the reader is using (it has the focus) stays until the focus leaves it. A static
 * slider's readout follows its handle.
 * ipywidgets draws a slider's handle (role="slider") without a name; once drawn, each handle is
 * labelled by its widget's visible description, so that screen readers announce what it sets.
 */
(function () {
  'use strict';
  var me = document.currentScript;
  var opts = me ? me.dataset : {};
  var NEAR = '200px 0px';  // figures: start a little ahead of the reader
  var IN_VIEW = '0px';    // widgets: only once one is on screen
  var plotlyReady = null;
  var widgetsReady = null;

  function loadScript(src, attrs) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      Object.keys(attrs || {}).forEach(function (k) { s.setAttribute(k, attrs[k]); });
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error('could not load ' + src)); };
      document.head.appendChild(s);
    });
  }

  function plotlyModules(folder, traces) {
    var url = function (name) { return new URL(folder + name, document.baseURI).href; };
    return import(url('core.js')).then(function (core) {
      var Plotly = core.default;
      return Promise.all(traces.map(function (t) { return import(url('trace-' + t + '.js')); })).then(function (mods) {
        Plotly.register(mods.map(function (m) { return m.default; }));
        window.Plotly = Plotly;
      });
    });
  }

  function plotly() {
    if (!plotlyReady) {
      var load = window.Plotly ? Promise.resolve()
        : opts.plotlyModules ? plotlyModules(opts.plotlyModules, (opts.plotlyTraces || '').split(',').filter(Boolean))
        : loadScript(opts.plotly);
      plotlyReady = load.then(function () {
        if (opts.topojson) {
          window.Plotly.setPlotConfig({topojsonURL: new URL(opts.topojson, document.baseURI).href});
        }
      });
    }
    return plotlyReady;
  }

  function drawFigure(block) {
    if (block.dataset.queued) return plotlyReady;
    block.dataset.queued = 'true';
    return plotly().then(function () {
      var run = document.createElement('script');
      run.text = block.textContent;
      block.parentNode.insertBefore(run, block.nextSibling);
      block.dataset.drawn = 'true';
    });
  }

  var labelled = 0;
  function labelSliders() {
    var handles = document.querySelectorAll('.widget-slider [role="slider"]:not([aria-label]):not([aria-labelledby])');
    [].forEach.call(handles, function (handle) {
      var box = handle.closest('.widget-slider');
      var label = box && box.querySelector('.widget-label');
      if (!label || !label.textContent.trim()) return;
      if (!label.id) label.id = 'ots-slider-label-' + (++labelled);
      handle.setAttribute('aria-labelledby', label.id);
    });
  }

  // The live widget that embed.js draws into a new .widget-subarea takes the place of the static
  // drawing just before it: hidden until drawn, then shown with the reader's choices carried over.
  var STATIC = 'ots-widget-static';
  function controls(root) {
    return [].slice.call(root.querySelectorAll('select, input, textarea, [role="slider"]'));
  }
  function text(option) { return option.textContent.replace(/\s+/g, ' ').trim(); }  // ipywidgets writes &nbsp;
  function carry(from, to) {
    var before = controls(from), after = controls(to);
    before.forEach(function (src, i) {
      var dst = after[i];
      if (src.type === 'range') {  // ipywidgets' slider is a noUiSlider: set it through its API
        var target = dst && dst.closest && dst.closest('.noUi-target');
        if (target && target.noUiSlider && src.value !== src.defaultValue) target.noUiSlider.set(Number(src.value));
        return;
      }
      if (!dst || dst.tagName !== src.tagName) return;
      var changed = false;
      if (src.tagName === 'SELECT') {
        var chosen = [].filter.call(src.options, function (o) { return o.selected && o.value !== ''; })
          .map(function (o) { return text(o); });
        [].forEach.call(dst.options, function (o) {
          var want = chosen.indexOf(text(o)) >= 0;
          if (o.selected !== want && (want || src.multiple || chosen.length)) { o.selected = want; changed = true; }
        });
      } else if (src.type === 'checkbox' || src.type === 'radio') {
        changed = dst.checked !== src.checked;
        dst.checked = src.checked;
      } else if (dst.value !== src.value) {
        dst.value = src.value;
        changed = true;
      }
      if (changed) {
        dst.dispatchEvent(new Event('input', {bubbles: true}));
        dst.dispatchEvent(new Event('change', {bubbles: true}));
      }
    });
  }
  function swap(area, drawing) {
    // drawn in full: a box draws its children a moment after itself
    var widgetCount = function (root) { return root.querySelectorAll('.jupyter-widgets').length; };
    if (!drawing.parentNode || !area.querySelector('.jupyter-widgets') || widgetCount(area) < widgetCount(drawing) ||
        controls(area).length < controls(drawing).length) return;
    if (drawing.contains(document.activeElement)) {  // the reader is using it: wait until they leave it
      if (!drawing.dataset.waiting) {
        drawing.dataset.waiting = 'true';
        drawing.addEventListener('focusout', function later(e) {
          if (e.relatedTarget && drawing.contains(e.relatedTarget)) return;
          drawing.removeEventListener('focusout', later);
          setTimeout(function () { swap(area, drawing); }, 0);
        });
      }
      return;
    }
    area.hidden = false;
    carry(drawing, area);
    drawing.parentNode.removeChild(drawing);
    window.dispatchEvent(new Event('resize'));  // the widgets measure themselves once shown
  }
  var pending = new Map();
  function takeOver() {
    [].forEach.call(document.querySelectorAll('.widget-subarea'), function (area) {
      var drawing = area.previousElementSibling;
      if (!pending.has(area) && drawing && drawing.classList.contains(STATIC)) {
        area.hidden = true;
        pending.set(area, drawing);
      }
    });
    pending.forEach(function (drawing, area) {
      swap(area, drawing);
      if (!drawing.parentNode) pending.delete(area);
    });
  }

  function widgets() {
    if (!widgetsReady) {
      new MutationObserver(function () { takeOver(); labelSliders(); })
        .observe(document.body, {childList: true, subtree: true});
      // embed.js draws the saved widgets on window "load"; if it arrives after that event,
      // the listener it registers is run here instead.
      var late = document.readyState === 'complete';
      var add = window.addEventListener;
      var onLoad = [];
      if (late) {
        window.addEventListener = function (type, fn, o) {
          if (type === 'load') onLoad.push(fn); else add.call(window, type, fn, o);
        };
      }
      widgetsReady = loadScript(opts.widgets, {'data-jupyter-widgets-cdn-only': 'false'}).then(function () {
        window.addEventListener = add;
        onLoad.forEach(function (fn) { fn.call(window, new Event('load')); });
      }, function (err) {
        window.addEventListener = add;
        throw err;
      });
    }
    return widgetsReady;
  }

  // The first sign of a reader: a scroll, a pointer, a key or a touch.
  var ENGAGE = ['scroll', 'wheel', 'pointerdown', 'pointermove', 'keydown', 'touchstart', 'focusin'];
  function onEngagement(fn) {
    var done = false;
    function go() {
      if (done) return;
      done = true;
      ENGAGE.forEach(function (type) { window.removeEventListener(type, go, true); });
      fn();
    }
    ENGAGE.forEach(function (type) { window.addEventListener(type, go, {capture: true, passive: true}); });
  }

  // A static slider's readout follows its handle.
  document.addEventListener('input', function (e) {
    var t = e.target;
    if (t.type !== 'range' || !t.closest || !t.closest('.' + STATIC)) return;
    var out = t.closest('.widget-slider').querySelector('output');
    if (out) out.textContent = t.value;
  });

  function observe(targets, margin) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting && targets.has(e.target)) {
          observer.unobserve(e.target);
          targets.get(e.target)();
        }
      });
    }, {rootMargin: margin});
    targets.forEach(function (_, el) { observer.observe(el); });
  }

  function start() {
    document.documentElement.setAttribute('data-otsbook-lazy', 'ready');  // observers are watching
    var figures = [].slice.call(document.querySelectorAll('script[type="application/vnd.otsbook.plotly+js"]'));
    var views = opts.widgets ? [].slice.call(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')) : [];
    var figureTargets = new Map();
    var widgetTargets = new Map();
    figures.forEach(function (b) { figureTargets.set(b.parentNode, function () { drawFigure(b); }); });
    views.forEach(function (v) { widgetTargets.set(v.parentNode, widgets); });
    window.addEventListener('beforeprint', function () { figures.forEach(drawFigure); });  // widgets print as drawn
    if (!('IntersectionObserver' in window)) {
      figureTargets.forEach(function (draw) { draw(); });
      if (views.length) widgets();
      return;
    }
    observe(figureTargets, NEAR);
    if (views.length) onEngagement(function () { observe(widgetTargets, IN_VIEW); });
  }

  // Start once the page has loaded and the browser has a quiet moment: the text paints first.
  function whenIdle() {
    if ('requestIdleCallback' in window) window.requestIdleCallback(start, {timeout: 1500});
    else window.setTimeout(start, 200);
  }

  // Anyone (a test, a print script) can ask for everything at once.
  window.otsbookDrawAll = function () {
    var figures = [].slice.call(document.querySelectorAll('script[type="application/vnd.otsbook.plotly+js"]'));
    var jobs = figures.map(drawFigure);
    if (opts.widgets) jobs.push(widgets());
    return Promise.all(jobs);
  };

  if (document.readyState === 'complete') whenIdle(); else window.addEventListener('load', whenIdle);
})();

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
 * viewport, and figures are drawn in document order as they arrive. The widget manager (1.8 MB) is
 * fetched only once a widget itself enters the viewport. Printing draws everything. Browsers without
 * IntersectionObserver draw everything at once. The page's root element gets
 * data-otsbook-lazy="ready" once the observers watch (tests scroll after that).
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

  function widgets() {
    if (!widgetsReady) {
      new MutationObserver(labelSliders).observe(document.body, {childList: true, subtree: true});
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
    window.addEventListener('beforeprint', function () { figures.forEach(drawFigure); if (views.length) widgets(); });
    if (!('IntersectionObserver' in window)) {
      figureTargets.forEach(function (draw) { draw(); });
      if (views.length) widgets();
      return;
    }
    observe(figureTargets, NEAR);
    if (views.length) observe(widgetTargets, IN_VIEW);
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

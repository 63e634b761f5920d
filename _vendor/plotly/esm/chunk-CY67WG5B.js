/*! plotly.js v4.1.1, split for the OTS course book | MIT licence: see LICENSE */
import{N as u,b as t}from"./chunk-47TK5T2D.js";var a=t((c,n)=>{"use strict";var i=u();function e(r){return[r]}n.exports={keyFun:function(r){return r.key},repeat:e,descend:i,wrap:e,unwrap:function(r){return r[0]}}});export{a};

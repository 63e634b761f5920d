/*! plotly.js v4.1.1, split for the OTS course book | MIT licence: see LICENSE */
import{R as s,b as c}from"./chunk-47TK5T2D.js";var a=c((n,i)=>{"use strict";var r=s();i.exports=function(t,e){r.isArrayOrTypedArray(e.selectedpoints)&&r.tagSelected(t,e)}});export{a};

/*! plotly.js v4.1.1, split for the OTS course book | MIT licence: see LICENSE */
import{b as r}from"./chunk-47TK5T2D.js";var a=r((c,m)=>{"use strict";m.exports={container:"marker",min:"cmin",max:"cmax"}});export{a};

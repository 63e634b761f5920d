/*! plotly.js v4.1.1, split for the OTS course book | MIT licence: see LICENSE */
import{b as i}from"./chunk-47TK5T2D.js";var s=i((t,m)=>{"use strict";m.exports={min:"zmin",max:"zmax"}});export{s as a};

// Loads the element as a host page would, with marks the budget reads: when init() returns
// and when the element is ready.
import init from "/mfe/mfe.js";

const query = new URLSearchParams(location.search);
await init();
window.initDone = performance.now();
const el = document.createElement("household-mfe");
el.accessTokenProvider = () => Promise.resolve(query.get("token"));
el.setAttribute("household-id", query.get("household"));
el.addEventListener("household-mfe-ready", () => { window.readyAt = performance.now(); });
document.body.append(el);

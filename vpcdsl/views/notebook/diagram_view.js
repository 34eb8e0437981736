// The explorer's drawing: the SVG the Python side sends (`svg`), pan by dragging,
// zoom with the buttons, and a click on a drawn object reported back (`clicked`:
// its model name from data-vpc-name, else the DOT id in its <title>).
function render({ model, el }) {
  const bar = document.createElement("div");
  bar.className = "vpcdsl-diagram-tools";
  bar.style.cssText = "display:flex;gap:4px;margin:2px 0;font-size:12px";
  const box = document.createElement("div");
  box.className = "vpcdsl-diagram-view";
  box.style.cssText = "overflow:hidden;border:1px solid #d5dbdb;cursor:grab;max-height:75vh;touch-action:none";
  el.append(bar, box);
  let scale = 1, tx = 0, ty = 0;
  const apply = () => {
    const svg = box.querySelector("svg");
    if (svg) svg.style.transform = `translate(${tx}px, ${ty}px) scale(${scale})`;
  };
  for (const [label, title, act] of [
    ["+", "zoom in", () => { scale *= 1.25; }],
    ["−", "zoom out", () => { scale /= 1.25; }],
    ["fit", "fit to width", () => { scale = 1; tx = 0; ty = 0; }],
  ]) {
    const b = document.createElement("button");
    b.textContent = label; b.title = title; b.className = "vpcdsl-zoom";
    b.onclick = () => { act(); apply(); };
    bar.append(b);
  }
  const hint = document.createElement("span");
  hint.textContent = "drag to pan · click a subnet, instance or gateway to pick it";
  hint.style.cssText = "color:#687078;align-self:center";
  bar.append(hint);
  const draw = () => {
    box.innerHTML = model.get("svg");
    const svg = box.querySelector("svg");
    if (!svg) return;
    svg.removeAttribute("width"); svg.removeAttribute("height");
    svg.style.width = "100%"; svg.style.height = "auto"; svg.style.transformOrigin = "0 0";
    apply();
  };
  let drag = null;
  box.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, tx, ty, moved: false };
  });
  box.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 4) drag.moved = true;
    if (drag.moved) { tx = drag.tx + dx; ty = drag.ty + dy; apply(); }
  });
  box.addEventListener("pointerup", (e) => {
    const moved = drag && drag.moved;
    drag = null;
    if (moved) return;
    const node = e.target.closest && e.target.closest("g.node");
    if (!node) return;
    const title = node.querySelector("title");
    const name = node.getAttribute("data-vpc-name") || (title ? title.textContent : "");
    if (name) { model.set("clicked", name); model.save_changes(); }
  });
  model.on("change:svg", draw);
  draw();
}
export default { render };

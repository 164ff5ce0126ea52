// The book's demos (nnlib.widgets.book_demo): each holds a picture for every combination
// of its controls' values, drawn at build time by the same code as the Jupyter widget.
// Moving a control shows the picture, and its alt text, for the combination now chosen.
(function () {
  function wire(demo) {
    var data = JSON.parse(demo.querySelector("script.nnlib-demo-frames").textContent);
    var picture = demo.querySelector("img.nnlib-demo-picture");
    var controls = Array.prototype.slice.call(demo.querySelectorAll("select, input"));
    function show() {
      var key = controls
        .map(function (control) {
          return control.value;
        })
        .join("-");
      var frame = data.pictures[data.keys[key]];
      controls.forEach(function (control) {
        var output = control.nextElementSibling;
        if (control.dataset.labels && output && output.tagName === "OUTPUT") {
          output.textContent = JSON.parse(control.dataset.labels)[Number(control.value)];
        }
      });
      if (frame) {
        picture.src = "data:image/png;base64," + frame[0];
        picture.alt = frame[1];
      }
    }
    controls.forEach(function (control) {
      control.addEventListener("input", show);
      control.addEventListener("change", show);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".nnlib-demo").forEach(wire);
  });
})();

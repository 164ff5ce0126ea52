// The ipywidgets HTML manager typesets widget labels with MathJax 2's
// `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`. This book loads MathJax 3,
// which has no `Hub`, so every widget on a page raised a TypeError. This bridge gives
// the old call to MathJax 3's typesetter, and re-attaches it whenever `window.MathJax`
// is replaced (MathJax 3 replaces its settings object with itself when it loads).
(function () {
  var hub = {
    Queue: function (job) {
      var element = job && job[2];
      if (element && current && current.typesetPromise) {
        current.typesetPromise([element]).catch(function () {});
      }
    },
  };
  function withHub(value) {
    if (value && typeof value === "object" && !value.Hub) {
      value.Hub = hub;
    }
    return value;
  }
  var current = withHub(window.MathJax || {});
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () {
      return current;
    },
    set: function (value) {
      current = withHub(value);
    },
  });
})();

// Names for the controls that the ipywidgets HTML manager draws without one, so that a
// screen reader can say what each is (axe-core, run by the browser test, found them): a
// slider's handle gets the text of the slider's label ("w1", "α adam"), and a button that
// shows only an icon (the play widget's play, pause, stop and repeat) gets the icon's
// meaning. Widgets are drawn after the page has loaded, so every change is watched.
(function () {
  var ICONS = {
    "fa-play": "Play",
    "fa-pause": "Pause",
    "fa-stop": "Stop",
    "fa-repeat": "Repeat",
    "fa-retweet": "Repeat",
  };
  function nameControls() {
    document.querySelectorAll(".jupyter-widgets .widget-slider").forEach(function (box) {
      var label = box.querySelector(".widget-label");
      var text = label ? label.textContent.trim() : "";
      box.querySelectorAll(".noUi-handle").forEach(function (handle) {
        if (text && handle.getAttribute("aria-label") !== text) {
          handle.setAttribute("aria-label", text);
        }
      });
    });
    document.querySelectorAll("button.jupyter-button").forEach(function (button) {
      if (button.textContent.trim() || button.hasAttribute("aria-label")) {
        return;
      }
      var icon = button.querySelector("i, svg");
      var classes = icon ? icon.getAttribute("class") || "" : "";
      Object.keys(ICONS).forEach(function (key) {
        if (classes.split(/\s+/).indexOf(key) >= 0) {
          button.setAttribute("aria-label", ICONS[key]);
        }
      });
      if (!button.hasAttribute("aria-label") && button.title) {
        button.setAttribute("aria-label", button.title);
      }
    });
  }
  new MutationObserver(nameControls).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  document.addEventListener("DOMContentLoaded", nameControls);
})();

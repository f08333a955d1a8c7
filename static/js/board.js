// Queue board: speak each new call aloud (请 A012 号到 2号窗口) when the checkbox is ticked.
(function () {
  "use strict";
  var last = null;
  function announce() {
    var el = document.querySelector(".board-latest");
    var box = document.getElementById("board-speak");
    if (!el) { return; }
    var call = el.getAttribute("data-call");
    if (call && call !== last && last !== null && box && box.checked && "speechSynthesis" in window) {
      var utterance = new SpeechSynthesisUtterance(el.textContent.trim());
      utterance.lang = document.documentElement.lang || "zh-CN";
      window.speechSynthesis.speak(utterance);
    }
    last = call || "";
  }
  document.addEventListener("DOMContentLoaded", announce);
  document.addEventListener("htmx:afterSwap", announce);
})();

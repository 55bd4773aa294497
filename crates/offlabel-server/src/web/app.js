// Progressive enhancement only: every page works without this file.
// Suggests medicine and condition names for the word being typed, keeping the rest of
// the question, so "Can I use Opz" offers "Can I use Opzelura".
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-suggest]");
  Array.prototype.forEach.call(inputs, function (input) {
    var list = input.list;
    if (!list) return;
    var terms = Array.prototype.map.call(list.options, function (o) { return o.value; });
    input.addEventListener("input", function () {
      var value = input.value;
      var match = /^([\s\S]*?)([^\s¿?¡!,.;:()]*)$/.exec(value);
      var head = match ? match[1] : "";
      var word = (match ? match[2] : value).toLowerCase();
      var shown = word.length < 2
        ? terms
        : terms.filter(function (t) { return t.toLowerCase().indexOf(word) === 0; }).slice(0, 10)
            .map(function (t) { return head + t; });
      while (list.firstChild) list.removeChild(list.firstChild);
      shown.forEach(function (t) {
        var o = document.createElement("option");
        o.value = t;
        list.appendChild(o);
      });
    });
  });
})();

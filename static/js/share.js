// The share block (templates/stories/_share.html): "Copy link" and the device's own share
// sheet. Without this file the block still works: the address is there to select, and every
// network is a plain link.
(function () {
  "use strict";

  function announce(status, text) {
    // Emptied first, so saying the same thing twice is announced twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  function copyBySelection(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function setUp(block) {
    var input = block.querySelector("[data-share-url]");
    var status = block.querySelector("[data-share-status]");
    var copy = block.querySelector("[data-share-copy]");
    var native = block.querySelector("[data-share-native]");
    if (!input || !status) {
      return;
    }
    var url = input.value;

    input.addEventListener("focus", function () {
      input.select();
    });

    if (copy) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        var copied = "Link copied. Paste it anywhere to share this story.";
        var select = "Press Ctrl+C (⌘C on a Mac) to copy the selected link.";
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(url).then(
            function () {
              announce(status, copied);
            },
            function () {
              announce(status, copyBySelection(input) ? copied : select);
            }
          );
        } else {
          announce(status, copyBySelection(input) ? copied : select);
        }
      });
    }

    if (native && typeof navigator.share === "function") {
      native.hidden = false;
      native.addEventListener("click", function () {
        navigator.share({ title: block.dataset.shareTitle, url: url }).catch(function () {
          // Closed without sharing, or not allowed here: nothing to say.
        });
      });
    }
  }

  document.querySelectorAll("[data-share]").forEach(setUp);
})();

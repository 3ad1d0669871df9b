// Make every gallery figure a link to its image file, opened in a new tab: on a phone the
// figure is scaled down to the screen, and the file shows it at full size. The link is
// the image's own relative path (the sharpest of its srcset), so nothing leaves the site.
(() => {
  const FIGURES = "img.sphx-glr-single-img, img.sphx-glr-multi-img";

  function largest(img) {
    const srcset = img.getAttribute("srcset");
    if (!srcset) return img.getAttribute("src");
    // "a.png, a_2_00x.png 2.00x": the last candidate is the sharpest.
    const candidates = srcset.split(",").map((c) => c.trim().split(/\s+/)[0]).filter(Boolean);
    return candidates[candidates.length - 1] || img.getAttribute("src");
  }

  function linkFigures() {
    for (const img of document.querySelectorAll(FIGURES)) {
      if (img.closest("a")) continue;
      const link = document.createElement("a");
      link.href = largest(img);
      link.target = "_blank";
      link.rel = "noopener";
      link.className = "optimlab-enlarge";
      link.title = "Open the figure at full size";
      img.replaceWith(link);
      link.appendChild(img);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", linkFigures);
  } else {
    linkFigures();
  }
})();

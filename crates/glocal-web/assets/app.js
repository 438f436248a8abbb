// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // A copy button beside one-time secrets (API tokens, setup links).
  for (const secret of document.querySelectorAll("code.secret")) {
    if (!navigator.clipboard) break;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary small";
    button.textContent = document.documentElement.dataset.copyLabel || "Copy";
    button.addEventListener("click", () => navigator.clipboard.writeText(secret.textContent.trim()));
    secret.after(" ", button);
  }
});

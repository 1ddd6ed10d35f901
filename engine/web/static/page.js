// rtms-doctor page: the Copy button and dropping files on the drop zone.
// Loaded from /static (the CSP allows no inline script); the page works without it.
"use strict";

function copyText(button) {
  const target = document.getElementById(button.dataset.copy);
  if (!target) return;
  const text = target.value !== undefined ? target.value : target.textContent;
  const done = () => {
    button.dataset.copied = "true";  // tests and assistive tech can see the copy happened
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy"; }, 2000);
  };
  const fallback = () => {  // no Clipboard API (or refused): select and copy
    target.focus();
    target.select();
    if (document.execCommand("copy")) done();
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, fallback);
  } else {
    fallback();
  }
}

function listFiles(input, list) {
  list.replaceChildren();
  for (const file of input.files) {
    const item = document.createElement("li");
    item.textContent = file.name + " (" + file.size + " bytes)";  // text, never markup
    list.appendChild(item);
  }
}

function setUpDropZone(zone) {
  const input = document.getElementById(zone.dataset.dropZone);
  const list = document.getElementById("file-list");
  if (!input || !list) return;
  input.addEventListener("change", () => listFiles(input, list));
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    const merged = new DataTransfer();  // dropped files join those already chosen
    for (const file of input.files) merged.items.add(file);
    for (const file of event.dataTransfer.files) merged.items.add(file);
    input.files = merged.files;
    listFiles(input, list);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", () => copyText(button));
  }
  for (const zone of document.querySelectorAll("[data-drop-zone]")) setUpDropZone(zone);
});

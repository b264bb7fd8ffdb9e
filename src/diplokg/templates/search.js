// Filters the index as you type; without JavaScript the form stays hidden and every link is listed.
const form = document.querySelector("form.search");
const input = document.getElementById("filter");
form.hidden = false;
form.addEventListener("submit", (event) => event.preventDefault());
input.addEventListener("input", () => {
  const wanted = input.value.trim().toLowerCase();
  for (const item of document.querySelectorAll(".group li")) {
    item.hidden = wanted !== "" && !item.textContent.toLowerCase().includes(wanted);
  }
});

// Login cards page: the Print button opens the browser's print dialog (print CSS: A4, 10 cards a page).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

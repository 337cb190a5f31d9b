// Filters for the findings table. The rows are rendered by iamscan; this only shows and
// hides them by their data- attributes and never writes markup.
(function () {
  'use strict';
  const form = document.getElementById('filters');
  const shownCount = document.getElementById('shown-count');
  const noMatch = document.getElementById('no-match');
  const findings = Array.from(document.querySelectorAll('tbody.finding'));
  // What the search looks in: the visible row (severity, status, check, resource, message).
  const haystacks = new Map(
    findings.map((finding) => [finding, finding.rows[0].textContent.toLowerCase()])
  );
  const fields = form.elements;

  function matches(finding, severity, category, status, words) {
    return (!severity || finding.dataset.severity === severity) &&
      (!status || finding.dataset.status === status) &&
      (!category || finding.dataset.categories.split(' ').includes(category)) &&
      words.every((word) => haystacks.get(finding).includes(word));
  }

  function apply() {
    const severity = fields.severity.value;
    const category = fields.category.value;
    const status = fields.status.value;
    const words = fields.search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const finding of findings) {
      const visible = matches(finding, severity, category, status, words);
      finding.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    }
    shownCount.textContent = 'Showing ' + shown + ' of ' + findings.length + ' findings';
    noMatch.hidden = shown > 0;
  }

  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  // reset() has set every field back when it returns; a reset event comes before that.
  document.getElementById('filter-reset').addEventListener('click', () => {
    form.reset();
    apply();
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  form.hidden = false;
  apply();

  // A printout shows the fix of every shown failure, error and muted finding.
  let opened = [];
  window.addEventListener('beforeprint', () => {
    opened = findings
      .filter((finding) => !finding.hidden && !['pass', 'skipped'].includes(finding.dataset.status))
      .map((finding) => finding.querySelector('details'))
      .filter((details) => details && !details.open);
    opened.forEach((details) => { details.open = true; });
  });
  window.addEventListener('afterprint', () => {
    opened.forEach((details) => { details.open = false; });
    opened = [];
  });
})();

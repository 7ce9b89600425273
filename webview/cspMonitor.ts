// Counts Content-Security-Policy violations into a hidden element, so the end-to-end test can assert that the
// page runs under its strict policy with nothing blocked (a blocked resource is a broken panel).
export function monitorCspViolations(target: HTMLElement): void {
  let count = 0;
  document.addEventListener('securitypolicyviolation', (event) => {
    count += 1;
    target.dataset.count = String(count);
    const line = document.createElement('div');
    line.textContent = `${event.violatedDirective} ${event.blockedURI}`;
    target.append(line);
  });
}

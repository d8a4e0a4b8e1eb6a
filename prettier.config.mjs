// Prettier formats the hand-written code: `npm run format` writes it,
// `npm run lint` (so `npm test`) fails on a file it would change.
// .prettierignore lists what it leaves alone and why.
/** @type {import("prettier").Config} */
export default {
  // The code has long, flat expressions (frame layouts, table rows); 120
  // keeps most of them on one line and still fits a side-by-side diff.
  printWidth: 120,
};

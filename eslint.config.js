// ESLint flat config: typescript-eslint's recommended rules on the hand-written code.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "gen/", "node_modules/", "conformance/oracle/target/", "coverage/", "test/.readme-examples/", "test/host/.readme-examples/", "test/guest/target/", "bench/rust-host/target/", "docs/api/"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
);

import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import prettier from "eslint-config-prettier/flat";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  // Formatting is Prettier's job (checked by npm run lint, fixed by npm run format); ESLint checks what code means.
  prettier,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // Deno code: its own runtime and import style.
    files: ["supabase/functions/**"],
    rules: { "import/no-anonymous-default-export": "off" },
  },
  globalIgnores([".next/**", ".next-*/**", ".data/**", "out/**", "build/**", "next-env.d.ts", "coverage/**", "test-results/**"]),
]);

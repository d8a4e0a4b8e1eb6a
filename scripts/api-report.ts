/**
 * The public API of the package's entry points, as a checked-in report:
 * every export of `.` (src/index.ts) and `./host` (src/host/index.ts), by
 * name, with its kind and its type as the TypeScript checker sees it.
 *
 *   npm run api           rewrites api/*.api.md
 *   npm run api -- --check  fails when they are not what it would write
 *
 * test/api.test.ts runs the check in `npm test`: an API change must come
 * with its report (and, for a removal, a line in CHANGELOG.md).
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";

const root = resolve(import.meta.dirname, "..");

/** The entry points of package.json's `exports`, their sources and their reports. */
export const entryPoints = [
  { subpath: ".", source: "src/index.ts", report: "api/dynclib-abi.api.md" },
  { subpath: "./host", source: "src/host/index.ts", report: "api/dynclib-abi-host.api.md" },
] as const;

const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.WriteArrayAsGenericType;

/** The program of the entry points, with the repository's compiler options. */
function program(): ts.Program {
  const config = ts.readConfigFile(join(root, "tsconfig.json"), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  return ts.createProgram(
    entryPoints.map((e) => join(root, e.source)),
    { ...options, noEmit: true },
  );
}

function signatures(checker: ts.TypeChecker, type: ts.Type, kind: ts.SignatureKind): string[] {
  return checker.getSignaturesOfType(type, kind).map((s) => checker.signatureToString(s, undefined, flags));
}

/** Is `symbol` declared only by TypeScript's lib or by @types/node (what every Error has, say)? */
function fromPlatform(symbol: ts.Symbol): boolean {
  const decls = symbol.declarations ?? [];
  return (
    decls.length > 0 &&
    decls.every((d) =>
      /[\\/]node_modules[\\/](typescript[\\/]lib|@types[\\/]node)[\\/]/.test(d.getSourceFile().fileName),
    )
  );
}

/** The members of an interface or class instance type, one line each. */
function members(checker: ts.TypeChecker, type: ts.Type, at: ts.Node): string[] {
  const lines: string[] = [];
  for (const s of signatures(checker, type, ts.SignatureKind.Call)) lines.push(`${s};`);
  for (const s of signatures(checker, type, ts.SignatureKind.Construct)) lines.push(`new ${s};`);
  for (const info of checker.getIndexInfosOfType(type))
    lines.push(`[key: ${checker.typeToString(info.keyType)}]: ${checker.typeToString(info.type, undefined, flags)};`);
  for (const p of checker.getPropertiesOfType(type)) {
    if (p.name.startsWith("__#") || p.name.startsWith("#")) continue; // private names
    if (fromPlatform(p)) continue; // Error's own members, say
    const decl = p.valueDeclaration ?? p.declarations?.[0];
    const modifiers = decl === undefined ? 0 : ts.getCombinedModifierFlags(decl as ts.Declaration);
    if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
    const readonly = modifiers & ts.ModifierFlags.Readonly ? "readonly " : "";
    const optional = p.flags & ts.SymbolFlags.Optional ? "?" : "";
    const pType = checker.getTypeOfSymbolAtLocation(p, at);
    if (p.flags & ts.SymbolFlags.Method) {
      for (const s of signatures(checker, pType, ts.SignatureKind.Call)) lines.push(`${p.name}${optional}${s};`);
    } else {
      lines.push(`${readonly}${p.name}${optional}: ${checker.typeToString(pType, undefined, flags)};`);
    }
  }
  return lines;
}

/** One export as declaration-like lines. */
function describeExport(checker: ts.TypeChecker, name: string, symbol: ts.Symbol, at: ts.Node): string[] {
  const lines: string[] = [];
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) {
    const instance = checker.getDeclaredTypeOfSymbol(symbol);
    const bases = instance.isClassOrInterface()
      ? checker.getBaseTypes(instance as ts.InterfaceType).map((b) => checker.typeToString(b, undefined, flags))
      : [];
    lines.push(`class ${name}${bases.length > 0 ? ` extends ${bases.join(", ")}` : ""} {`);
    const staticType = checker.getTypeOfSymbolAtLocation(symbol, at);
    for (const s of signatures(checker, staticType, ts.SignatureKind.Construct))
      lines.push(`  constructor${s.replace(/:[^:)]*$/, "")};`);
    for (const m of members(checker, staticType, at))
      if (!m.startsWith("prototype:") && !m.startsWith("new ")) lines.push(`  static ${m}`);
    for (const m of members(checker, instance, at)) lines.push(`  ${m}`);
    lines.push("}");
    return lines;
  }
  if (f & ts.SymbolFlags.Enum) {
    lines.push(`enum ${name} {`);
    for (const member of checker.getExportsOfModule(symbol)) {
      const decl = member.valueDeclaration;
      const value = decl !== undefined && ts.isEnumMember(decl) ? checker.getConstantValue(decl) : undefined;
      lines.push(`  ${member.name} = ${JSON.stringify(value)},`);
    }
    lines.push("}");
    return lines;
  }
  if (f & ts.SymbolFlags.Function) {
    for (const s of signatures(checker, checker.getTypeOfSymbolAtLocation(symbol, at), ts.SignatureKind.Call))
      lines.push(`function ${name}${s};`);
  } else if (f & ts.SymbolFlags.Variable) {
    const decl = symbol.valueDeclaration;
    const keyword = decl !== undefined && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const ? "const" : "let";
    lines.push(
      `${keyword} ${name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, at), undefined, flags)};`,
    );
  }
  if (f & ts.SymbolFlags.Interface) {
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    const params = (type as ts.InterfaceType).typeParameters?.map((p) => checker.typeToString(p)) ?? [];
    lines.push(`interface ${name}${params.length > 0 ? `<${params.join(", ")}>` : ""} {`);
    for (const m of members(checker, type, at)) lines.push(`  ${m}`);
    lines.push("}");
  } else if (f & ts.SymbolFlags.TypeAlias) {
    const decl = symbol.declarations?.find(ts.isTypeAliasDeclaration);
    const params = decl?.typeParameters?.map((p) => p.getText()) ?? [];
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    lines.push(
      `type ${name}${params.length > 0 ? `<${params.join(", ")}>` : ""} = ${checker.typeToString(type, undefined, flags | ts.TypeFormatFlags.InTypeAlias)};`,
    );
  }
  if (lines.length === 0) lines.push(`/* ${name}: ${ts.SymbolFlags[f] ?? f} */`);
  return lines;
}

/** The report of one entry point. */
function report(p: ts.Program, entry: (typeof entryPoints)[number]): string {
  const checker = p.getTypeChecker();
  const source = p.getSourceFile(join(root, entry.source));
  if (source === undefined) throw new Error(`${entry.source}: not in the program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`${entry.source}: not a module`);
  const name = entry.subpath === "." ? "@actr/dynclib-abi" : `@actr/dynclib-abi/${entry.subpath.slice(2)}`;
  const exports = checker
    .getExportsOfModule(moduleSymbol)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out = [
    `# API report: \`${name}\``,
    "",
    `Every export of \`${name}\` (${entry.source}), with its type. Generated by \`npm run api\``,
    "(scripts/api-report.ts); `npm test` fails when the API changes without this file.",
    `${exports.length} exports.`,
    "",
  ];
  for (const e of exports) {
    const target = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
    out.push(`## ${e.name}`, "", "```ts", ...describeExport(checker, e.name, target, source), "```", "");
  }
  return out.join("\n");
}

/** The reports, by file, as `npm run api` would write them. */
export function apiReports(): Map<string, string> {
  const p = program();
  return new Map(entryPoints.map((entry) => [entry.report, report(p, entry)]));
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("api-report.ts")) {
  const check = process.argv.includes("--check");
  const stale: string[] = [];
  for (const [file, text] of apiReports()) {
    const path = join(root, file);
    if (check) {
      let old: string | undefined;
      try {
        old = readFileSync(path, "utf8");
      } catch {
        old = undefined;
      }
      if (old !== text) stale.push(file);
    } else {
      writeFileSync(path, text);
      console.log(`wrote ${file}`);
    }
  }
  if (stale.length > 0) {
    console.error(
      `the public API changed: ${stale.join(", ")} out of date (run \`npm run api\`, and list removals in CHANGELOG.md)`,
    );
    process.exit(1);
  }
}

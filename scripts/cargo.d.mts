// Types of scripts/cargo.mjs, for the TypeScript tests that build a crate with it.
export declare const root: string;
export declare const registryVariable: "ACTR_CARGO_REGISTRY";
export declare const debianRegistry: string;
export declare const debianPackages: readonly string[];
export declare const docs: string;
export declare function cargoRegistry(env?: NodeJS.ProcessEnv): "crates-io" | "debian";
export declare function cargoProblem(env?: NodeJS.ProcessEnv): string | undefined;
export declare function debianRegistryView(crateDir: string): string;
export declare function cargoArguments(crateDir: string, args: readonly string[], env?: NodeJS.ProcessEnv): string[];
export declare function cargoBuild(
  crateDir: string,
  options?: { env?: NodeJS.ProcessEnv; echo?: boolean; echoFailure?: boolean },
): { ok: true } | { ok: false; reason: string };

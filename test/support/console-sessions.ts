// The shell sessions of the README: each `$ command` line of a ```console
// block that follows a marker comment, with the output shown under it.

/** One command of a console block and the output the README shows for it. */
export interface ConsoleSession {
  readonly command: string;
  readonly output: string;
}

/** The sessions of every ```console block right after `<!-- marker -->` in `readme`. */
export function consoleSessions(readme: string, marker: string): ConsoleSession[] {
  const blocks = [...readme.matchAll(new RegExp(`<!-- ${marker} -->\\s*\`\`\`console\\n([\\s\\S]*?)\`\`\``, "g"))].map((m) => m[1]!);
  return blocks.flatMap((block) =>
    block
      .split(/^\$ /m)
      .slice(1)
      .map((chunk) => {
        const [command, ...output] = chunk.split("\n");
        return { command: command!, output: output.join("\n") };
      }),
  );
}

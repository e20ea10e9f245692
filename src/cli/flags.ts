/**
 * Reading the command line: flags parsed with Node's parseArgs, but with its rough edges filed off.
 * A negative number after a flag (`--seed -1`) is taken as that flag's value, so that the flag's
 * own check can say what is allowed, instead of Node's "argument is ambiguous"; parseArgs' own
 * errors (unknown flag, missing value) and the core's settings errors (RangeError) become
 * UsageError, which the CLI prints with the usage.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

export function parseFlags<O extends Options>(args: string[], options: O, allowPositionals = false) {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const name = flag.startsWith('--') ? flag.slice(2) : undefined;
    const next = args[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      joined.push(`${flag}=${next}`);
      i++;
    } else {
      joined.push(flag);
    }
  }
  try {
    return parseArgs({ args: joined, options, strict: true, allowPositionals });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) throw new UsageError((e as Error).message.replace(/\n/g, ' '));
    throw e;
  }
}

/** The core's settings checks throw RangeError: the user's to fix, reported with the usage. */
export async function asUsage<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

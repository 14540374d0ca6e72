import { type Details, renderStatusLine, type StatusLevel } from './output/status-line.js';

/**
 * What a command runs against: where it is, whose home, which environment, and where output goes.
 * Commands never read `process.env`/`process.cwd()` or call `process.exit` themselves, so tests can
 * run them against a temp HOME and working directory.
 */
export interface CliContext {
  cwd: string;
  home: string;
  /**
   * The CLI's own environment, never changed: once the registry runs, `start` goes on with a copy
   * holding the registry variables (cli.md §5.3 step 6), so agents launched later inherit them.
   */
  env: Record<string, string | undefined>;
  out: CliOutput;
  /**
   * Replaces the default interrupt behaviour (print "Operation cancelled by user", exit 130) while a
   * command needs its own: a foreground `start` shuts its services down, `logs --follow` stops.
   */
  onInterrupt(handler: ((signal: NodeJS.Signals) => void) | undefined): void;
  /** Ends the CLI now with this code: only for a signal's shutdown, which cannot return to `main`. */
  exit(code: number): never;
}

/** Status lines and plain lines on stdout, diagnostics on stderr (cli.md §2.2). */
export class CliOutput {
  constructor(
    private readonly stdout: NodeJS.WritableStream,
    private readonly stderr: NodeJS.WritableStream,
    /** Decided once at start-up from stdout (§2.1). */
    readonly isTty: boolean,
    /** Colours: on a terminal unless NO_COLOR is set (https://no-color.org); the original had no NO_COLOR. */
    readonly useColour: boolean = isTty,
  ) {}

  /** A progress line still showing (terminal only), cleared before anything else is written. */
  private progressShown = false;

  status(level: StatusLevel, message: string, details?: Details): void {
    this.clearProgress();
    this.stdout.write(renderStatusLine(level, message, details, this.useColour));
  }

  /**
   * Replaces the progress line on a terminal (carriage return, erase line); nothing at all when
   * stdout is not a terminal, so piped output stays the original's.
   */
  progress(text: string): void {
    if (!this.isTty) return;
    this.stdout.write(`\r\x1b[2K${text}`);
    this.progressShown = true;
  }

  /** Erases the progress line, if one shows. */
  clearProgress(): void {
    if (!this.progressShown) return;
    this.progressShown = false;
    this.stdout.write('\r\x1b[2K');
  }

  success(message: string, details?: Details): void {
    this.status('success', message, details);
  }

  info(message: string, details?: Details): void {
    this.status('info', message, details);
  }

  warning(message: string, details?: Details): void {
    this.status('warning', message, details);
  }

  error(message: string, details?: Details): void {
    this.status('error', message, details);
  }

  /** A plain line on stdout (`print()`). */
  print(text = ''): void {
    this.clearProgress();
    this.stdout.write(`${text}\n`);
  }

  /**
   * An output that holds its lines until `flush()`, for work done concurrently whose messages must
   * still appear in a fixed order (agents' start-up windows overlap, their reports do not).
   */
  buffered(): { out: CliOutput; flush(): void } {
    const lines: [NodeJS.WritableStream, string][] = [];
    const into = (stream: NodeJS.WritableStream) => ({
      write: (text: string) => lines.push([stream, text]) > 0,
    });
    const out = new CliOutput(
      into(this.stdout) as NodeJS.WritableStream,
      into(this.stderr) as NodeJS.WritableStream,
      this.isTty,
      this.useColour,
    );
    return {
      out,
      flush: () => {
        for (const [stream, text] of lines.splice(0)) stream.write(text);
      },
    };
  }

  /** A diagnostic record on stderr: the bare message, as the original's unconfigured logging wrote it (§9.1). */
  log(message: string): void {
    this.stderr.write(`${message}\n`);
  }
}

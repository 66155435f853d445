package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.OptionValueException;
import gradcam3d.onnx.ModelIO;
import gradcam3d.pipeline.InputPrefetch;
import gradcam3d.runtime.OrtProgram;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The gradcam3d command line. */
@Command(name = "gradcam3d", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {"Explains what 2D/3D segmentation and classification networks (ONNX) look at, with the "
        + "Grad-CAM family of methods, on full volumes.", ""},
    footer = {"", "Start with: gradcam3d demo",
        "Then:       gradcam3d layers MODEL.onnx --input-shape 1,1,64,64,64",
        "            gradcam3d explain --model MODEL.onnx --input scan.nii.gz \\",
        "                --layer down3 --target 1 --out out/",
        "Details:    gradcam3d help explain"})
public final class Main implements Runnable {
  /** Exit code for problems with the user's input (files, names, shapes). */
  public static final int EXIT_USER_ERROR = 1;
  /** Exit code for bad options and option values. */
  public static final int EXIT_BAD_OPTION = 2;
  /** Exit code for unexpected internal failures. */
  public static final int EXIT_INTERNAL = 3;

  /**
   * The subcommands, in the order the usage lists them. Only the one a command line names is
   * built: picocli's model of all of them took about 0.2 s of every run's start-up.
   */
  private static final Map<String, Supplier<Object>> COMMANDS = commands();

  private static Map<String, Supplier<Object>> commands() {
    Map<String, Supplier<Object>> m = new LinkedHashMap<>();
    m.put("layers", LayersCommand::new);
    m.put("explain", ExplainCommand::new);
    m.put("batch", BatchCommand::new);
    m.put("batch-merge", BatchMergeCommand::new);
    m.put("evaluate", EvaluateCommand::new);
    m.put("compare", CompareCommand::new);
    m.put("demo", DemoCommand::new);
    m.put("bench", BenchCommand::new);
    m.put("optimize", OptimizeCommand::new);
    m.put("serve", ServeCommand::new);
    m.put("help", CommandLine.HelpCommand::new);
    return m;
  }

  /** The subcommands whose --input files are read ahead while the command line is parsed. */
  private static final Set<String> READS_INPUT = Set.of("explain", "evaluate");

  /** The subcommands that run ONNX Runtime. */
  private static final Set<String> RUNS_MODELS = Set.of("explain", "batch", "evaluate", "compare", "demo", "bench",
      "serve");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    Optional<Integer> child = Relaunch.withTelemetryOff(args);
    if (child.isPresent()) {
      System.exit(child.get());
    }
    System.setProperty("java.awt.headless", "true");
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs a command line; returns the exit code (for tests and the launcher). */
  public static int execute(String[] args, PrintWriter rawOut, PrintWriter rawErr) {
    // names from models, files and the command line reach the terminal with their control
    // characters escaped (an escape sequence in a module name must not drive the terminal)
    PrintWriter out = ConsoleText.printWriter(rawOut);
    PrintWriter err = ConsoleText.printWriter(rawErr);
    String[] routed = routed(args);
    List<String> words = Arrays.asList(routed);
    if (routed.length > 0 && RUNS_MODELS.contains(routed[0]) && !words.contains("--help") && !words.contains("-h")) {
      // ONNX Runtime, the named model and (explain, evaluate) the input files load while the
      // command line is parsed (about 0.13 s in a cold JVM, and the input's decoding); the
      // command's own checks and reading then take what was read, or read again
      OrtProgram.prepareInBackground();
      Path model = namedModel(routed);
      if (model != null) {
        ModelIO.readAhead(model);
      }
      if (READS_INPUT.contains(routed[0])) {
        List<Path> inputs = paths(named(routed, "--input"));
        List<String> series = named(routed, "--series");
        if (!inputs.isEmpty() && series.size() <= 1) {
          InputPrefetch.readAhead(inputs, series.isEmpty() ? null : series.get(0));
        }
      }
    }
    return execute(commandLine(routed), routed, out, err);
  }

  /**
   * Runs {@code routed} on a command line already made (serve makes its explain command itself):
   * errors as one line on {@code err} and the exit codes above.
   */
  static int execute(CommandLine cl, String[] routed, PrintWriter out, PrintWriter err) {
    cl.setOut(out);
    cl.setErr(err);
    // plain help text: its colour codes would be escaped too
    cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    cl.setParameterExceptionHandler((ex, args1) -> {
      // one line saying what is wrong and where to look, not the whole usage text
      err.println("error: " + ex.getMessage());
      err.println(hint(ex.getCommandLine()));
      return EXIT_BAD_OPTION;
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      Throwable cause = ex;
      if (cause instanceof picocli.CommandLine.ParameterException pe) {
        err.println("error: " + pe.getMessage());
        err.println(hint(commandLine));
        return EXIT_BAD_OPTION;
      }
      if (cause instanceof OptionValueException) {
        err.println("error: " + cause.getMessage());
        err.println(hint(commandLine));
        return EXIT_BAD_OPTION;
      }
      if (cause instanceof Gradcam3dException) {
        err.println("error: " + cause.getMessage());
        return EXIT_USER_ERROR;
      }
      if (System.getenv("GRADCAM3D_DEBUG") != null) {
        ex.printStackTrace(err);
      }
      err.println("internal error: " + cause + " (set GRADCAM3D_DEBUG=1 for details)");
      return EXIT_INTERNAL;
    });
    try {
      return cl.execute(routed);
    } catch (Throwable t) {
      // errors (not exceptions) bypass picocli's handler: still one line, no stack trace
      err.println("internal error: " + t + " (set GRADCAM3D_DEBUG=1 for details)");
      if (System.getenv("GRADCAM3D_DEBUG") != null) {
        t.printStackTrace(err);
      }
      return EXIT_INTERNAL;
    }
  }

  /** The file after {@code --model} (or in {@code --model=FILE}), or null. */
  static Path namedModel(String[] args) {
    List<Path> models = paths(named(args, "--model"));
    return models.isEmpty() ? null : models.get(0);
  }

  /**
   * The values of {@code option} ({@code option VALUE} or {@code option=VALUE}) in the order given:
   * a guess before parsing, for reading ahead (the parsed command reads again what it does not match).
   */
  static List<String> named(String[] args, String option) {
    List<String> values = new java.util.ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals(option) && i + 1 < args.length) {
        values.add(args[++i]);
      } else if (args[i].startsWith(option + "=")) {
        values.add(args[i].substring(option.length() + 1));
      }
    }
    return values;
  }

  /** The values as paths; none if one is not a usable path (picocli's converter reports it). */
  private static List<Path> paths(List<String> values) {
    try {
      return values.stream().map(Path::of).toList();
    } catch (InvalidPathException e) {
      return List.of();
    }
  }

  /**
   * The command line with the subcommand {@code args} start with, or with all of them (usage,
   * {@code help}, an unknown name: picocli then lists or suggests them as usual).
   */
  static CommandLine commandLine(String[] args) {
    CommandLine cl = new CommandLine(new Main());
    String first = args.length > 0 ? args[0] : "";
    if (COMMANDS.containsKey(first) && !first.equals("help")) {
      cl.addSubcommand(first, COMMANDS.get(first).get());
    } else {
      COMMANDS.forEach((name, command) -> cl.addSubcommand(name, command.get()));
    }
    cl.getSubcommands().values().forEach(Main::listMetrics);
    return cl;
  }

  /**
   * The metric catalog (names, definitions, parameters) in the help of the commands that take
   * --metrics and show the definitions: annotation values must be constants, the catalog is code.
   */
  private static void listMetrics(CommandLine sub) {
    var usage = sub.getCommandSpec().usageMessage();
    List<String> footer = new java.util.ArrayList<>(Arrays.asList(usage.footer()));
    int at = -1;
    for (int i = 0; i < footer.size(); i++) {
      if (footer.get(i).equals(MetricsOptions.DEFINITIONS)) {
        at = i;
      }
    }
    if (at < 0) {
      return;
    }
    List<String> lines = new java.util.ArrayList<>();
    for (String l : gradcam3d.metrics.MetricCatalog.help()) {
      lines.add(l.replace("%", "%%"));
    }
    footer.add(at + 1, String.join("%n", lines) + "%n");
    usage.footer(footer.toArray(String[]::new));
  }

  /** {@code batch --merge ...} takes none of batch's explanation options: it is its own command. */
  private static String[] routed(String[] args) {
    if (args.length > 0 && args[0].equals("batch") && java.util.Arrays.asList(args).contains("--merge")) {
      String[] r = args.clone();
      r[0] = "batch-merge";
      return r;
    }
    return args;
  }

  private static String hint(CommandLine cl) {
    return "Try '" + cl.getCommandSpec().qualifiedName() + " --help' for the options and their values.";
  }

  /** The build's version and git commit ({@link gradcam3d.BuildVersion}). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"gradcam3d " + gradcam3d.BuildVersion.text()};
    }
  }
}

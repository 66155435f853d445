package gradcam3d.cli;

import gradcam3d.Gradcam3dException;
import gradcam3d.cam.methods.CamMethods;
import gradcam3d.cam.Progress;
import gradcam3d.cam.Target;
import gradcam3d.metrics.Evaluation;
import gradcam3d.pipeline.ExplanationPipeline;
import gradcam3d.pipeline.Settings;
import gradcam3d.report.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * gradcam3d serve: explain runs requested one JSON line at a time on stdin and answered one JSON
 * line each on stdout, in one JVM that keeps each explanation pipeline (the model, its compiled
 * programs, their ONNX Runtime sessions) open for the next request with the same model and
 * options: a loop over a test set pays the JVM start, the model read and the compile once. For
 * clients in other languages (the Python package in python/).
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs explain requests read from stdin, one JSON object per line, and answers each with one "
        + "JSON line on stdout, in one process that keeps the model, its compiled programs and ONNX Runtime "
        + "sessions open between requests (for programs that explain many volumes, such as the Python package)."},
    footer = {"",
        "Protocol: UTF-8, one JSON object per line. The first line out:",
        "  {\"ready\": true, \"pid\": 1234, \"version\": \"...\", \"methods\": [...]}",
        "A request (args: those of 'gradcam3d explain', see its --help):",
        "  {\"id\": 7, \"args\": [\"--model\", \"unet.onnx\", \"--input\", \"x.npy\",",
        "   \"--layer\", \"down3\", \"--target\", \"1\", \"--out\", \"out/\"]}",
        "Its answer (exit, error: explain's exit code and one-line message or null):",
        "  {\"id\": 7, \"exit\": 0, \"error\": null, \"stdout\": \"...\", \"stderr\": \"\",",
        "   \"pid\": 1234}",
        "Requests run one at a time, in order. Those that differ only in --input, --out, --label, --series and "
        + "--target share one open pipeline. End of input ends the process (exit 0). Progress bars are not shown.",
        "", "Exit codes: 0 input ended, 2 bad options."})
final class ServeCommand implements Callable<Integer> {
  /** The answer protocol's version, in the first line. */
  static final int PROTOCOL = 1;

  @Option(names = "--pipelines", defaultValue = "2", paramLabel = "N", converter = Converters.Positive.class,
      description = "Pipelines (a model with its method, layers and options, its compiled programs and sessions) kept "
          + "open between requests; the least recently used one is closed when another opens (default: ${DEFAULT-VALUE}).")
  int capacity;

  @Override
  public Integer call() {
    PrintStream answers = System.out;
    // stdout carries answers only: anything else printed there would corrupt the protocol
    System.setOut(System.err);
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      serve(in, answers);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      System.setOut(answers);
    }
    return 0;
  }

  /** Answers every request of {@code in} until its end; the pipelines are closed then. */
  void serve(BufferedReader in, PrintStream answers) throws IOException {
    try (Pipelines pipelines = new Pipelines(capacity)) {
      Map<String, Object> ready = new LinkedHashMap<>();
      ready.put("ready", true);
      ready.put("protocol", PROTOCOL);
      ready.put("pid", ProcessHandle.current().pid());
      ready.put("version", gradcam3d.BuildVersion.text());
      ready.put("methods", CamMethods.names());
      send(answers, ready);
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isBlank()) {
          send(answers, answer(line, pipelines));
        }
      }
    }
  }

  /** Runs one request line as explain would run its arguments. */
  static Map<String, Object> answer(String line, Pipelines pipelines) {
    Object id = null;
    List<String> args = new ArrayList<>();
    try {
      if (!(Json.parse(line) instanceof Map<?, ?> request)) {
        throw new Gradcam3dException("a request is one JSON object: {\"id\": ..., \"args\": [...]}");
      }
      id = request.get("id");
      if (!(request.get("args") instanceof List<?> given)) {
        throw new Gradcam3dException("the request has no \"args\": a list of the arguments of gradcam3d explain");
      }
      for (Object a : given) {
        if (!(a instanceof String s)) {
          throw new Gradcam3dException("\"args\" holds " + a + "; every argument is a string");
        }
        args.add(s);
      }
    } catch (RuntimeException e) {
      // Json.parse's own message says where the line stops being JSON
      return answer(id, Main.EXIT_BAD_OPTION, "", "error: serve: " + e.getMessage() + "\n");
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Main());
    cl.addSubcommand("explain", new ExplainCommand(pipelines.forRequest(args)));
    List<String> command = new ArrayList<>();
    command.add("explain");
    command.addAll(args);
    int exit = Main.execute(cl, command.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return answer(id, exit, out.toString(), err.toString());
  }

  private static Map<String, Object> answer(Object id, int exit, String out, String err) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("id", id);
    a.put("exit", exit);
    a.put("error", exit == 0 ? null : errorLine(err));
    a.put("stdout", out);
    a.put("stderr", err);
    a.put("pid", ProcessHandle.current().pid());
    return a;
  }

  /** The one-line message of a failed run: its "error: ..." line, else the last line it printed. */
  static String errorLine(String err) {
    String last = null;
    for (String l : err.split("\n")) {
      if (l.startsWith("error: ") || l.startsWith("internal error: ")) {
        return l.strip();
      }
      if (!l.isBlank()) {
        last = l.strip();
      }
    }
    return last;
  }

  private static void send(PrintStream answers, Map<String, Object> message) {
    // Json.write breaks lines only between tokens (newlines inside strings are escaped): joined, one line
    answers.print(Json.write(message).replaceAll("\n *", "") + "\n");
    answers.flush();
  }

  /**
   * Explanation pipelines kept open, by everything a request gives but its input, output and
   * targets (with --metrics the targets too: the sanity check reads them), and by the size and
   * time of every file the other arguments name (a model file written anew is read anew).
   */
  static final class Pipelines implements AutoCloseable {
    /** explain's options that change from one volume to the next: not part of a pipeline's key. */
    private static final Set<String> PER_CASE = Set.of("--input", "--out", "--label", "--series", "--target");

    private final int capacity;
    private final LinkedHashMap<String, ExplanationPipeline> open = new LinkedHashMap<>(8, 0.75f, true);
    private int opened;

    Pipelines(int capacity) {
      this.capacity = capacity;
    }

    /** How many pipelines were opened so far (a request served by an open one opens none). */
    int opened() {
      return opened;
    }

    /** The pipeline source for one request's arguments. */
    ExplainCommand.PipelineSource forRequest(List<String> args) {
      String shared = key(args);
      return new ExplainCommand.PipelineSource() {
        private String key;

        @Override
        public ExplanationPipeline open(Settings settings, Evaluation.Settings metrics) {
          key = metrics == null ? shared : shared + "\u0000targets=" + settings.targets().stream().map(Target::spec)
              .toList();
          ExplanationPipeline p = Pipelines.this.open.get(key);
          if (p != null) {
            return p;
          }
          // the request's targets are passed to every run; progress bars would go to one request's stderr
          Settings kept = settings.withProgress(Progress.NONE);
          p = new ExplanationPipeline(metrics == null ? kept.withTargets(List.of()) : kept, metrics);
          opened++;
          Iterator<Map.Entry<String, ExplanationPipeline>> eldest = Pipelines.this.open.entrySet().iterator();
          while (Pipelines.this.open.size() >= capacity && eldest.hasNext()) {
            ExplanationPipeline old = eldest.next().getValue();
            eldest.remove();
            old.close();
          }
          Pipelines.this.open.put(key, p);
          return p;
        }

        @Override
        public void release(ExplanationPipeline pipeline, Throwable failure) {
          // a problem with the request leaves the pipeline as it was; anything else may not have
          if (failure != null && !(failure instanceof Gradcam3dException)
              && !(failure instanceof CommandLine.ParameterException)) {
            Pipelines.this.open.remove(key);
            pipeline.close();
          }
        }
      };
    }

    private static String key(List<String> args) {
      StringBuilder k = new StringBuilder();
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
        if (PER_CASE.contains(name)) {
          i += a.contains("=") ? 0 : 1;
          continue;
        }
        k.append(a).append('\u0000');
        String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : a;
        k.append(stamp(value));
      }
      return k.toString();
    }

    /** The size and time of a file an argument names, or "" for other arguments. */
    private static String stamp(String arg) {
      try {
        Path p = Path.of(arg);
        if (Files.isRegularFile(p)) {
          return Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis() + "\u0000";
        }
      } catch (InvalidPathException | IOException | SecurityException e) {
        // not a readable file: the argument's text is all of its key
      }
      return "";
    }

    @Override
    public void close() {
      for (ExplanationPipeline p : open.values()) {
        p.close();
      }
      open.clear();
    }
  }
}

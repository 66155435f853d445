package gradcam3d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layer diagram of docs/architecture.md against what every main source file refers to: its
 * imports, static imports and fully qualified names (comments and string literals aside). A
 * package may use packages of lower layers and its own family (a package and its sub-packages,
 * e.g. cam and cam.methods) but no package may reach itself again (no package cycles). Where
 * today's code breaks the diagram, the places are listed below as exceptions that issue 25's
 * refactor removes; the test fails on any new violation and on an exception that no longer occurs.
 */
class PackageLayersTest {
  private static final Path MAIN = Path.of("src/main/java");
  private static final Path ARCHITECTURE = Path.of("docs/architecture.md");

  /**
   * Top-level packages by layer, lowest first ("gradcam3d": the top-level package itself). A
   * sub-package belongs to its parent's layer (cam.methods to cam, volume.formats to volume,
   * metrics.measures to metrics, the generated onnx.proto to onnx).
   */
  static final List<List<String>> LAYERS = List.of(
      List.of("gradcam3d", "tensor"),
      List.of("onnx", "volume", "render"),
      List.of("graph", "report"),
      List.of("autodiff", "optimize"),
      List.of("runtime"),
      List.of("cam"),
      List.of("metrics", "window"),
      List.of("pipeline"),
      List.of("output"),
      List.of("cli"));

  /** Libraries only one top-level package may use. */
  static final Map<String, String> LIBRARIES = Map.of(
      "ai.onnxruntime", "runtime",
      "picocli", "cli",
      "me.tongfei.progressbar", "cli",
      "com.google.protobuf", "onnx");

  /**
   * References that close a package cycle today: a parent package's registry or dispatcher that
   * names the classes of its sub-package, which in turn implements the parent's interfaces. To be
   * removed by issue 25's refactor (the registry moves into the sub-package, as cam's did into
   * cam.methods).
   */
  static final Map<String, String> CYCLE_EXCEPTIONS = Map.of(
      "gradcam3d/metrics/MetricCatalog.java", "gradcam3d.metrics.measures",
      "gradcam3d/metrics/Evaluation.java", "gradcam3d.metrics.measures",
      "gradcam3d/volume/VolumeIO.java", "gradcam3d.volume.formats");

  /**
   * Command-line option names in string literals outside cli, file by file: the library speaking
   * the command line's language. Library errors carry typed keys ({@link Setting}) that the command
   * line renders as option names; none is left (issue 25), so any option name in a library file's
   * literals fails.
   */
  static final Map<String, String> OPTION_NAMES_OUTSIDE_CLI = Map.of();

  /** One main source file as the checks see it. */
  record Source(String path, String pkg, Set<String> packages, Set<String> libraries, Set<String> optionNames) {}

  private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  /** A reference to one of ours: the package's segments, then a class (upper case) or a wildcard. */
  private static final Pattern REFERENCE = Pattern.compile("\\bgradcam3d((?:\\.[a-z_][a-z0-9_]*)*)\\.(?:[A-Z]|\\*)");
  private static final Pattern LIBRARY = Pattern.compile(
      "\\b(ai\\.onnxruntime|picocli|me\\.tongfei\\.progressbar|com\\.google\\.protobuf)\\.");
  private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");

  static List<Source> sources;

  @BeforeAll
  static void readSources() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      sources = files.filter(f -> f.toString().endsWith(".java")).sorted().map(PackageLayersTest::read).toList();
    }
  }

  @Test
  void everyPackageHasItsPlaceInTheLayers() {
    Set<String> placed = new TreeSet<>();
    LAYERS.forEach(placed::addAll);
    Set<String> found = new TreeSet<>();
    for (Source s : sources) {
      found.add(topLevel(s.pkg()));
      s.packages().forEach(p -> found.add(topLevel(p)));
    }
    Set<String> unplaced = new TreeSet<>(found);
    unplaced.removeAll(placed);
    assertEquals(Set.of(), unplaced, "packages missing from LAYERS (and from docs/architecture.md's diagram)");
    Set<String> gone = new TreeSet<>(placed);
    gone.removeAll(found);
    assertEquals(Set.of(), gone, "packages in LAYERS that no longer exist");
  }

  @Test
  void packagesUseOnlyLowerLayersAndTheirOwnFamily() {
    Map<String, Integer> layer = layerOf();
    List<String> upward = new ArrayList<>();
    for (Source s : sources) {
      int own = layer.getOrDefault(topLevel(s.pkg()), -1);
      for (String used : s.packages()) {
        String top = topLevel(used);
        if (!top.equals(topLevel(s.pkg())) && layer.getOrDefault(top, Integer.MAX_VALUE) >= own) {
          upward.add(s.path() + " (" + s.pkg() + ", layer " + own + ") uses " + used + " (layer "
              + layer.get(top) + ")");
        }
      }
    }
    assertEquals(List.of(), upward, "references to a package of the same or a higher layer");
  }

  @Test
  void noPackageCycles() {
    Map<String, Set<String>> uses = new TreeMap<>();
    List<String> goneExceptions = new ArrayList<>(new TreeSet<>(CYCLE_EXCEPTIONS.keySet()));
    for (Source s : sources) {
      uses.computeIfAbsent(s.pkg(), k -> new TreeSet<>());
      for (String used : s.packages()) {
        if (used.equals(CYCLE_EXCEPTIONS.get(s.path()))) {
          goneExceptions.remove(s.path());
          continue;
        }
        uses.get(s.pkg()).add(used);
      }
    }
    assertEquals(List.of(), goneExceptions, "CYCLE_EXCEPTIONS that no longer occur: remove them");
    assertEquals(List.of(), cycles(uses), "package cycles (each: the packages that reach each other)");
  }

  @Test
  void eachLibraryStaysInItsPackage() {
    List<String> strays = new ArrayList<>();
    for (Source s : sources) {
      for (String library : s.libraries()) {
        if (!LIBRARIES.get(library).equals(topLevel(s.pkg()))) {
          strays.add(s.path() + " uses " + library + " (only " + LIBRARIES.get(library) + " may)");
        }
      }
    }
    assertEquals(List.of(), strays);
  }

  @Test
  void onlyTheCommandLineNamesItsOptions() {
    Map<String, String> found = new TreeMap<>();
    for (Source s : sources) {
      if (!topLevel(s.pkg()).equals("cli") && !s.optionNames().isEmpty()) {
        found.put(s.path(), String.join(" ", s.optionNames()));
      }
    }
    List<String> added = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    found.forEach((file, names) -> {
      Set<String> extra = words(names);
      extra.removeAll(words(OPTION_NAMES_OUTSIDE_CLI.getOrDefault(file, "")));
      if (!extra.isEmpty()) {
        added.add(file + ": " + extra);
      }
    });
    new TreeMap<>(OPTION_NAMES_OUTSIDE_CLI).forEach((file, names) -> {
      Set<String> missing = words(names);
      missing.removeAll(words(found.getOrDefault(file, "")));
      if (!missing.isEmpty()) {
        gone.add(file + ": " + missing);
      }
    });
    assertEquals(List.of(), added, "option names in library messages: give the library error a typed key the "
        + "command line renders, or say it without the option");
    assertEquals(List.of(), gone, "OPTION_NAMES_OUTSIDE_CLI lists names these files no longer hold: remove them");
  }

  @Test
  void everyPackageSaysWhatItIsFor() throws IOException {
    Set<String> packages = new TreeSet<>();
    sources.forEach(s -> packages.add(s.pkg()));
    List<String> missing = new ArrayList<>();
    for (String p : packages) {
      Path info = MAIN.resolve(p.replace('.', '/')).resolve("package-info.java");
      if (!Files.exists(info) || !Files.readString(info).contains("/**")) {
        missing.add(p);
      }
    }
    assertEquals(List.of(), missing, "packages without a package-info.java saying their job");
  }

  @Test
  void theArchitecturePageDrawsTheseLayers() throws IOException {
    // the diagram's rows, lowest last: "  cli", "  output", ..., each row's packages separated by " | "
    String page = Files.readString(ARCHITECTURE);
    int start = page.indexOf("```text\n", page.indexOf("## Layers"));
    String diagram = page.substring(start + 8, page.indexOf("```", start + 8));
    List<List<String>> drawn = new ArrayList<>();
    for (String line : diagram.split("\n")) {
      String row = line.replaceAll("\\(.*?\\)", "").strip();
      if (!row.isEmpty() && !row.startsWith("^") && !row.startsWith("|")) {
        drawn.add(0, List.of(row.split("\\s+\\|\\s+")));
      }
    }
    assertEquals(LAYERS, drawn, "docs/architecture.md's diagram and LAYERS");
  }

  private static Map<String, Integer> layerOf() {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < LAYERS.size(); i++) {
      for (String p : LAYERS.get(i)) {
        m.put(p, i);
      }
    }
    return m;
  }

  /** "gradcam3d" for the top-level package itself, else its first segment below gradcam3d. */
  static String topLevel(String pkg) {
    String[] parts = pkg.split("\\.");
    return parts.length == 1 ? parts[0] : parts[1];
  }

  private static Set<String> words(String s) {
    Set<String> w = new TreeSet<>(List.of(s.split(" ")));
    w.remove("");
    return w;
  }

  /** The strongly connected groups of more than one package (Tarjan), each sorted. */
  static List<String> cycles(Map<String, Set<String>> uses) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<String> out = new ArrayList<>();
    int[] next = {0};
    for (String p : uses.keySet()) {
      if (!index.containsKey(p)) {
        connect(p, uses, index, low, stack, onStack, next, out);
      }
    }
    return out;
  }

  private static void connect(String p, Map<String, Set<String>> uses, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, Set<String> onStack, int[] next, List<String> out) {
    index.put(p, next[0]);
    low.put(p, next[0]);
    next[0]++;
    stack.push(p);
    onStack.add(p);
    for (String q : uses.getOrDefault(p, Set.of())) {
      if (!index.containsKey(q)) {
        connect(q, uses, index, low, stack, onStack, next, out);
        low.put(p, Math.min(low.get(p), low.get(q)));
      } else if (onStack.contains(q)) {
        low.put(p, Math.min(low.get(p), index.get(q)));
      }
    }
    if (low.get(p).equals(index.get(p))) {
      Set<String> group = new TreeSet<>();
      String q;
      do {
        q = stack.pop();
        onStack.remove(q);
        group.add(q);
      } while (!q.equals(p));
      if (group.size() > 1) {
        out.add(String.join(" <-> ", group));
      }
    }
  }

  private static Source read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StringBuilder code = new StringBuilder();
    List<String> strings = new ArrayList<>();
    split(text, code, strings);
    Matcher pm = PACKAGE.matcher(code);
    String pkg = pm.find() ? pm.group(1) : "";
    Set<String> packages = new TreeSet<>();
    Matcher rm = REFERENCE.matcher(code);
    while (rm.find()) {
      String used = "gradcam3d" + rm.group(1);
      if (!used.equals(pkg)) {
        packages.add(used);
      }
    }
    Set<String> libraries = new TreeSet<>();
    Matcher lm = LIBRARY.matcher(code);
    while (lm.find()) {
      libraries.add(lm.group(1));
    }
    Set<String> options = new TreeSet<>();
    for (String s : strings) {
      Matcher om = OPTION.matcher(s);
      while (om.find()) {
        options.add(om.group());
      }
    }
    String path = MAIN.relativize(file).toString().replace('\\', '/');
    return new Source(path, pkg, packages, libraries, options);
  }

  /** Java source into its code (comments dropped, literals emptied) and the contents of its string literals. */
  static void split(String src, StringBuilder code, List<String> strings) {
    int i = 0;
    int n = src.length();
    while (i < n) {
      char c = src.charAt(i);
      if (src.startsWith("//", i)) {
        int end = src.indexOf('\n', i);
        i = end < 0 ? n : end;
      } else if (src.startsWith("/*", i)) {
        int end = src.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        code.append(' ');
      } else if (src.startsWith("\"\"\"", i)) {
        int end = src.indexOf("\"\"\"", i + 3);
        strings.add(src.substring(i + 3, end));
        code.append("\"\"");
        i = end + 3;
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (src.charAt(j) != c) {
          j += src.charAt(j) == '\\' ? 2 : 1;
        }
        if (c == '"') {
          strings.add(src.substring(i + 1, j));
        }
        code.append(c).append(c);
        i = j + 1;
      } else {
        code.append(c);
        i++;
      }
    }
  }

  @Test
  void theReaderSeesThroughCommentsAndStrings() {
    StringBuilder code = new StringBuilder();
    List<String> strings = new ArrayList<>();
    split("import gradcam3d.cam.Target; // gradcam3d.cli.Main\nString s = \"--out \\\" gradcam3d.cli.Main\"; "
        + "/* gradcam3d.output.X */ char q = '\"'; var t = gradcam3d.tensor.Shapes.numel(x);", code, strings);
    Set<String> refs = new TreeSet<>();
    Matcher m = REFERENCE.matcher(code);
    while (m.find()) {
      refs.add("gradcam3d" + m.group(1));
    }
    assertEquals(Set.of("gradcam3d.cam", "gradcam3d.tensor"), refs);
    assertEquals(List.of("--out \\\" gradcam3d.cli.Main"), strings);
    assertTrue(cycles(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a")))
        .equals(List.of("a <-> b <-> c")), "a three-package cycle is found");
  }
}

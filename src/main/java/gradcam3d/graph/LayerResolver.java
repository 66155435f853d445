package gradcam3d.graph;

import gradcam3d.Gradcam3dException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a user's layer name into a graph tensor: a module path ({@code down3}), an element of a
 * module's tuple/list output ({@code encoder@2}) or a raw ONNX tensor name. A module path that
 * {@code model.named_modules()} prints but the graph records under another call path (a module
 * registered under one attribute and called through another, as in MONAI's DynUNet) is found
 * through the parameter names its nodes read.
 */
public final class LayerResolver {
  private final Graph graph;
  private final ModuleIndex index;
  private Map<String, Set<String>> aliases;

  /** A state_dict key (module path + attribute), not an exporter-made name like /a/Constant_output_0. */
  private static final java.util.regex.Pattern PARAMETER =
      java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)+");

  public LayerResolver(Graph graph, ModuleIndex index) {
    this.graph = graph;
    this.index = index;
  }

  /**
   * A resolved layer: the tensor and where it came from; {@code spec} is the layer as given, in
   * its text form ({@link LayerSpec#toString}), for reports.
   */
  public record Layer(String spec, String module, int element, String tensor) {
    public String label() {
      return module == null ? tensor : module + (element == 0 ? "" : "@" + element);
    }
  }

  /** Resolves a layer by its name; its token grid ({@link TokenView}) is left to the caller. */
  public Layer resolve(LayerSpec layer) {
    String spec = layer.toString();
    String name = layer.name().trim();
    int element = 0;
    int at = name.lastIndexOf('@');
    boolean explicitElement = false;
    if (at > 0 && ModuleScopes.isNumeric(name.substring(at + 1))) {
      element = Integer.parseInt(name.substring(at + 1));
      name = name.substring(0, at);
      explicitElement = true;
    }
    if (index.contains(name)) {
      return element(spec, name, element);
    }
    if (!explicitElement || element == 0) {
      if (graph.tensorNames().contains(name)) {
        return new Layer(spec, null, 0, name);
      }
    }
    Set<String> aliases = aliasCandidates(name);
    if (aliases.size() == 1) {
      return element(spec, aliases.iterator().next(), element);
    }
    if (aliases.size() > 1) {
      throw new gradcam3d.OptionValueException("layer '" + name + "' is ambiguous: the graph calls that module as "
          + String.join(", ", aliases) + "; pass one of those names");
    }
    throw new gradcam3d.OptionValueException("unknown layer '" + name + "'; closest module names: "
        + String.join(", ", closest(name, 5))
        + (recordsCallPaths(graph) ? "; " + CALL_PATH_NOTE : "")
        + " (run 'gradcam3d layers MODEL' to list every layer)");
  }

  /** Why a registered name may be missing from a torch.export-based model. */
  public static final String CALL_PATH_NOTE = "this model was exported with torch.export, which "
      + "records the path a module was called through, not every attribute it is registered under; "
      + "where its parameters do not name it, use the call path";

  /** Whether the exporter recorded module scopes as call paths (pkg.torch.onnx.name_scopes). */
  public static boolean recordsCallPaths(Graph g) {
    for (Node n : g.nodes()) {
      if (n.metadata(ModuleScopes.NAME_SCOPES_KEY) != null) {
        return true;
      }
    }
    return false;
  }

  private Layer element(String spec, String module, int element) {
    List<String> outs = index.outputs(module);
    if (element < 0 || element >= outs.size()) {
      throw new Gradcam3dException("module '" + module + "' has " + outs.size() + " output"
          + (outs.size() == 1 ? "" : "s") + " (elements 0.." + (outs.size() - 1) + "), not @" + element);
    }
    return new Layer(spec, module, element, outs.get(element));
  }

  /**
   * Call paths in the graph that the named_modules() path {@code name} stands for, found from
   * parameter initializers: a node in call path X.suffix reading parameter P.suffix.weight says
   * that module P is called as X.
   */
  Set<String> aliasCandidates(String name) {
    Map<String, Set<String>> aliases = aliases();
    Set<String> found = new LinkedHashSet<>(aliases.getOrDefault(name, Set.of()));
    if (found.isEmpty()) {
      // a child of an aliased module: its parameters may not say so (a parameter-free nonlin)
      for (Map.Entry<String, Set<String>> e : aliases.entrySet()) {
        if (name.startsWith(e.getKey() + ".")) {
          for (String call : e.getValue()) {
            String child = call + name.substring(e.getKey().length());
            if (index.contains(child)) {
              found.add(child);
            }
          }
        }
      }
    }
    if (found.isEmpty()) {
      found.addAll(containerCandidates(name));
    }
    if (found.isEmpty()) {
      // a suffix the user shortened: "conv1" for "down1.conv1" is accepted when unique
      for (String m : index.modules()) {
        if (m.endsWith("." + name)) {
          found.add(m);
        }
      }
    }
    return found;
  }

  /**
   * The named_modules() name of each graph module whose parameters show it is registered under
   * another path than the one it was called through (children included).
   */
  public Map<String, String> registeredNames() {
    Map<String, String> callToName = new LinkedHashMap<>();
    for (Map.Entry<String, Set<String>> e : aliases().entrySet()) {
      for (String call : e.getValue()) {
        callToName.putIfAbsent(call, e.getKey());
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String m : index.modules()) {
      for (String call = m; !call.isEmpty(); call = call.contains(".") ? call.substring(0, call.lastIndexOf('.')) : "") {
        String name = callToName.get(call);
        if (name != null) {
          String registered = name + m.substring(call.length());
          if (!m.startsWith(registered + ".")) {
            // (a container such as all_modules is itself registered; only its children moved)
            out.put(m, registered);
          }
          break;
        }
      }
    }
    return out;
  }

  /** Parameter path -> call paths reading it, from initializer names (computed once). */
  private Map<String, Set<String>> aliases() {
    if (aliases != null) {
      return aliases;
    }
    aliases = new LinkedHashMap<>();
    for (Node n : graph.nodes()) {
      String call = ModuleScopes.modulePath(n);
      if (call.isEmpty()) {
        continue;
      }
      for (String in : n.inputs()) {
        if (!graph.initializers().containsKey(in) || !PARAMETER.matcher(in).matches()) {
          continue;
        }
        String param = in.substring(0, in.lastIndexOf('.'));
        if (param.equals(call) || param.startsWith(call + ".")) {
          continue;  // its own parameter, or a child's read functionally (MultiheadAttention's out_proj)
        }
        String[] p = param.split("\\.");
        String[] c = call.split("\\.");
        int common = 0;
        while (common < p.length && common < c.length
            && p[p.length - 1 - common].equals(c[c.length - 1 - common])) {
          common++;
        }
        for (int k = 0; k <= common; k++) {
          String pn = String.join(".", java.util.Arrays.copyOfRange(p, 0, p.length - k));
          String cn = String.join(".", java.util.Arrays.copyOfRange(c, 0, c.length - k));
          if (!pn.isEmpty() && !cn.isEmpty() && index.contains(cn)) {
            aliases.computeIfAbsent(pn, x -> new LinkedHashSet<>()).add(cn);
          }
        }
      }
    }
    return aliases;
  }

  /**
   * Modules registered both as an attribute and inside a container (nnU-Net's
   * ConvDropoutNormReLU: {@code conv, norm, nonlin} and {@code all_modules = Sequential(conv, norm,
   * nonlin)}): the TorchScript exporter scopes them by their named_modules() name under the
   * container's call, {@code convs.0.all_modules.nonlin}, while PyTorch prints
   * {@code convs.0.nonlin}. So a graph path with one extra component matches, and
   * {@code all_modules.2} is the container's third child in call order.
   */
  Set<String> containerCandidates(String name) {
    Set<String> found = new LinkedHashSet<>();
    String[] want = name.split("\\.");
    for (String m : index.modules()) {
      String[] have = m.split("\\.");
      if (have.length != want.length + 1 || !have[have.length - 1].equals(want[want.length - 1])) {
        continue;
      }
      for (int skip = 0; skip < have.length - 1; skip++) {
        boolean same = true;
        for (int i = 0, j = 0; i < have.length && same; i++) {
          if (i != skip) {
            same = have[i].equals(want[j++]);
          }
        }
        if (same) {
          found.add(m);
          break;
        }
      }
    }
    int dot = name.lastIndexOf('.');
    if (found.isEmpty() && dot > 0 && ModuleScopes.isNumeric(name.substring(dot + 1))) {
      String container = name.substring(0, dot);
      List<String> children = new ArrayList<>();
      for (String m : index.modules()) {
        String rest = m.startsWith(container + ".") ? m.substring(container.length() + 1) : null;
        if (rest != null && !rest.contains(".")) {
          children.add(rest);
        }
      }
      int k = Integer.parseInt(name.substring(dot + 1));
      boolean namedChildren = children.stream().noneMatch(ModuleScopes::isNumeric);
      if (namedChildren && k < children.size()) {
        found.add(container + "." + children.get(k));
      }
    }
    return found;
  }

  private List<String> closest(String name, int k) {
    List<String> all = new ArrayList<>(index.modules());
    all.sort(Comparator.comparingInt((String m) -> distance(name, m)).thenComparing(m -> m));
    return all.subList(0, Math.min(k, all.size()));
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}

package gradcam3d.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * The chain of PyTorch modules a node was produced in, read from the exporter's records:
 * <ul>
 *   <li>the TorchScript exporter names nodes {@code /down1/maxpool_conv/maxpool_conv.1/.../Conv};
 *       each component is the module's name from its last non-numeric atom on
 *       ({@code down1.maxpool_conv.1} is written {@code maxpool_conv.1}), so full paths are rebuilt
 *       by attaching a component to the caller, or to the caller's owner when the component
 *       continues the caller's own attribute;</li>
 *   <li>the torch.export-based exporter stores {@code pkg.torch.onnx.name_scopes}: a Python list
 *       of cumulative module paths, root first, the node's own name last.</li>
 * </ul>
 */
public final class ModuleScopes {
  public static final String NAME_SCOPES_KEY = "pkg.torch.onnx.name_scopes";

  private ModuleScopes() {}

  /** Full module paths from the outermost module to the innermost ([] when unscoped). */
  public static List<String> chain(Node n) {
    String meta = n.metadata(NAME_SCOPES_KEY);
    if (meta != null) {
      List<String> scopes = parsePythonList(meta);
      List<String> out = new ArrayList<>();
      for (int i = 0; i < scopes.size() - 1; i++) {
        if (!scopes.get(i).isEmpty()) {
          out.add(scopes.get(i));
        }
      }
      return out;
    }
    String name = n.name();
    if (!name.startsWith("/")) {
      return List.of();
    }
    String[] parts = name.substring(1).split("/");
    List<String> out = new ArrayList<>();
    String caller = "";
    for (int i = 0; i < parts.length - 1; i++) {
      if (parts[i].isEmpty()) {
        continue;
      }
      caller = attach(caller, parts[i]);
      out.add(caller);
    }
    return out;
  }

  /** The innermost module path of a node ("" for the root). */
  public static String modulePath(Node n) {
    List<String> c = chain(n);
    return c.isEmpty() ? "" : c.get(c.size() - 1);
  }

  /**
   * Full path of scope component {@code comp} called from module {@code caller}. A component
   * "attr.1" whose attribute "attr" is the caller's own last non-numeric atom is an element of
   * the caller's container (the caller is "owner.attr" or "owner.attr.0"), so it hangs off the
   * owner; any other component is a child attribute of the caller.
   */
  static String attach(String caller, String comp) {
    String attr = comp.contains(".") ? comp.substring(0, comp.indexOf('.')) : comp;
    boolean indexed = comp.contains(".");
    if (indexed && !caller.isEmpty()) {
      String[] atoms = caller.split("\\.");
      int last = atoms.length - 1;
      while (last >= 0 && isNumeric(atoms[last])) {
        last--;
      }
      if (last >= 0 && atoms[last].equals(attr)) {
        String owner = String.join(".", java.util.Arrays.copyOfRange(atoms, 0, last));
        return owner.isEmpty() ? comp : owner + "." + comp;
      }
    }
    return caller.isEmpty() ? comp : caller + "." + comp;
  }

  static boolean isNumeric(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Parses a Python list-of-strings repr: ['', 'a', "b'c"]. */
  static List<String> parsePythonList(String s) {
    List<String> out = new ArrayList<>();
    int i = s.indexOf('[');
    if (i < 0) {
      return out;
    }
    i++;
    while (i < s.length()) {
      char ch = s.charAt(i);
      if (ch == '\'' || ch == '"') {
        StringBuilder sb = new StringBuilder();
        i++;
        while (i < s.length() && s.charAt(i) != ch) {
          if (s.charAt(i) == '\\' && i + 1 < s.length()) {
            i++;
          }
          sb.append(s.charAt(i));
          i++;
        }
        out.add(sb.toString());
      } else if (ch == ']') {
        break;
      }
      i++;
    }
    return out;
  }
}

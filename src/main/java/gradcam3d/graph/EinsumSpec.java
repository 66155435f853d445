package gradcam3d.graph;

import gradcam3d.Gradcam3dException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed Einsum equation with its ellipsis expanded into explicit (upper-case) letters, so
 * every operand and the output are plain letter strings.
 */
public final class EinsumSpec {
  public final List<String> operands;
  public final String output;
  public final Map<Character, Long> sizes;

  private EinsumSpec(List<String> operands, String output, Map<Character, Long> sizes) {
    this.operands = operands;
    this.output = output;
    this.sizes = sizes;
  }

  public static EinsumSpec parse(String equation, long[][] shapes) {
    String eq = equation.replace(" ", "");
    String lhs = eq.contains("->") ? eq.substring(0, eq.indexOf("->")) : eq;
    String rhs = eq.contains("->") ? eq.substring(eq.indexOf("->") + 2) : null;
    String[] terms = lhs.split(",", -1);
    if (terms.length != shapes.length) {
      throw new Gradcam3dException("Einsum equation '" + equation + "' has " + terms.length
          + " operands but the node has " + shapes.length + " inputs");
    }
    int ellRank = 0;
    for (int i = 0; i < terms.length; i++) {
      if (terms[i].contains("...")) {
        ellRank = Math.max(ellRank, shapes[i].length - (terms[i].length() - 3));
      }
    }
    String ell = "";
    for (int i = 0; i < ellRank; i++) {
      ell += (char) ('A' + i);
    }
    List<String> ops = new ArrayList<>();
    Map<Character, Long> sizes = new LinkedHashMap<>();
    for (int i = 0; i < terms.length; i++) {
      String t = terms[i];
      if (t.contains("...")) {
        int own = shapes[i].length - (t.length() - 3);
        t = t.replace("...", ell.substring(ellRank - own));
      }
      if (t.length() != shapes[i].length) {
        throw new Gradcam3dException("Einsum term '" + terms[i] + "' does not match an operand of rank "
            + shapes[i].length);
      }
      for (int k = 0; k < t.length(); k++) {
        long d = shapes[i][k];
        Long prev = sizes.get(t.charAt(k));
        if (prev == null || prev == 1 || prev < 0) {
          sizes.put(t.charAt(k), d);
        }
      }
      ops.add(t);
    }
    String out;
    if (rhs != null) {
      out = rhs.replace("...", ell);
    } else {
      StringBuilder sb = new StringBuilder(ell);
      sizes.keySet().stream().filter(Character::isLowerCase).sorted().forEach(c -> {
        int count = 0;
        for (String o : ops) {
          for (char ch : o.toCharArray()) {
            count += ch == c ? 1 : 0;
          }
        }
        if (count == 1) {
          sb.append(c);
        }
      });
      out = sb.toString();
    }
    return new EinsumSpec(ops, out, sizes);
  }

  public long[] outputShape() {
    long[] s = new long[output.length()];
    for (int i = 0; i < s.length; i++) {
      s[i] = sizes.get(output.charAt(i));
    }
    return s;
  }

  /** Back to an ONNX equation string (letters only, no ellipsis). */
  public static String equation(List<String> operands, String output) {
    return String.join(",", operands) + "->" + output;
  }
}

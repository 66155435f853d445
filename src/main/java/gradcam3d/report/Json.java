package gradcam3d.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal JSON: values are Map (objects, insertion-ordered), List, String, Double/Long, Boolean
 * and null. Enough for summary.json and for reading fixture manifests.
 */
public final class Json {
  private Json() {}

  /** Deeper nesting than this is refused: the parser recurses once per level. */
  public static final int MAX_DEPTH = 256;

  /** Parses {@code text}; nesting deeper than {@link #MAX_DEPTH} is an error (as is any malformed text). */
  public static Object parse(String text) {
    Parser p = new Parser(text);
    p.skip();
    Object v = p.value();
    p.skip();
    if (p.pos != text.length()) {
      throw p.error("trailing characters");
    }
    return v;
  }

  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 0);
    return sb.append('\n').toString();
  }

  private static void write(StringBuilder sb, Object v, int indent) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      quote(sb, s);
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
      sb.append(v);
    } else if (v instanceof Number n) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        sb.append("null");
      } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        sb.append((long) d);
      } else {
        sb.append(d);
      }
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append("{\n");
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append("  ".repeat(indent + 1));
        quote(sb, String.valueOf(e.getKey()));
        sb.append(": ");
        write(sb, e.getValue(), indent + 1);
        sb.append(++i < m.size() ? ",\n" : "\n");
      }
      sb.append("  ".repeat(indent)).append('}');
    } else if (v instanceof Iterable<?> it) {
      List<Object> items = new ArrayList<>();
      it.forEach(items::add);
      boolean flat = items.stream().allMatch(x -> x == null || x instanceof Number || x instanceof Boolean);
      if (flat) {
        sb.append('[');
        for (int i = 0; i < items.size(); i++) {
          write(sb, items.get(i), indent);
          if (i < items.size() - 1) {
            sb.append(", ");
          }
        }
        sb.append(']');
        return;
      }
      sb.append("[\n");
      for (int i = 0; i < items.size(); i++) {
        sb.append("  ".repeat(indent + 1));
        write(sb, items.get(i), indent + 1);
        sb.append(i < items.size() - 1 ? ",\n" : "\n");
      }
      sb.append("  ".repeat(indent)).append(']');
    } else if (v instanceof long[] a) {
      List<Object> l = new ArrayList<>();
      for (long x : a) {
        l.add(x);
      }
      write(sb, l, indent);
    } else if (v instanceof double[] a) {
      List<Object> l = new ArrayList<>();
      for (double x : a) {
        l.add(x);
      }
      write(sb, l, indent);
    } else {
      quote(sb, v.toString());
    }
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': sb.append("\\\""); break;
        case '\\': sb.append("\\\\"); break;
        case '\n': sb.append("\\n"); break;
        case '\r': sb.append("\\r"); break;
        case '\t': sb.append("\\t"); break;
        default:
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }

  private static final class Parser {
    final String s;
    int pos;
    int depth;

    Parser(String s) {
      this.s = s;
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException("JSON: " + what + " at offset " + pos);
    }

    void skip() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    Object value() {
      if (pos >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(pos);
      switch (c) {
        case '{': return object();
        case '[': return array();
        case '"': return string();
        case 't': expect("true"); return Boolean.TRUE;
        case 'f': expect("false"); return Boolean.FALSE;
        case 'n': expect("null"); return null;
        default: return number();
      }
    }

    void expect(String word) {
      if (!s.startsWith(word, pos)) {
        throw error("expected " + word);
      }
      pos += word.length();
    }

    void enter() {
      if (++depth > MAX_DEPTH) {
        throw error("nested deeper than " + MAX_DEPTH + " levels");
      }
    }

    Map<String, Object> object() {
      enter();
      Map<String, Object> m = new LinkedHashMap<>();
      pos++;
      skip();
      if (s.charAt(pos) == '}') {
        pos++;
        depth--;
        return m;
      }
      while (true) {
        skip();
        String k = string();
        skip();
        expect(":");
        skip();
        m.put(k, value());
        skip();
        char c = s.charAt(pos++);
        if (c == '}') {
          depth--;
          return m;
        }
        if (c != ',') {
          throw error("expected , or }");
        }
      }
    }

    List<Object> array() {
      enter();
      List<Object> l = new ArrayList<>();
      pos++;
      skip();
      if (s.charAt(pos) == ']') {
        pos++;
        depth--;
        return l;
      }
      while (true) {
        skip();
        l.add(value());
        skip();
        char c = s.charAt(pos++);
        if (c == ']') {
          depth--;
          return l;
        }
        if (c != ',') {
          throw error("expected , or ]");
        }
      }
    }

    String string() {
      if (s.charAt(pos) != '"') {
        throw error("expected string");
      }
      pos++;
      StringBuilder sb = new StringBuilder();
      while (true) {
        char c = s.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        if (c == '\\') {
          char e = s.charAt(pos++);
          switch (e) {
            case 'n': sb.append('\n'); break;
            case 't': sb.append('\t'); break;
            case 'r': sb.append('\r'); break;
            case 'b': sb.append('\b'); break;
            case 'f': sb.append('\f'); break;
            case 'u': sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16)); pos += 4; break;
            default: sb.append(e);
          }
        } else {
          sb.append(c);
        }
      }
    }

    Object number() {
      int start = pos;
      while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
        pos++;
      }
      String t = s.substring(start, pos);
      if (t.isEmpty()) {
        throw error("unexpected character '" + s.charAt(pos) + "'");
      }
      if (t.contains(".") || t.contains("e") || t.contains("E")) {
        return Double.parseDouble(t);
      }
      return Long.parseLong(t);
    }
  }
}

package gradcam3d.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * Text for the terminal with its control characters made visible: module and tensor names,
 * file names and metadata come from the model or the command line, and an escape sequence in one
 * would otherwise clear the screen, move the cursor, set the window title or ring the bell when
 * it is printed. Tabs and line ends (LF, CR LF) pass; every other C0 or C1 control character,
 * DEL, and the Unicode direction overrides and isolates (which reorder what the eye sees) are
 * written as {@code \xNN} or {@code \\uNNNN}.
 */
final class ConsoleText {
  private ConsoleText() {}

  /** {@code s} with its control characters escaped; a lone CR too (it would overwrite the line). */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
        b.append(c);
      } else {
        appendEscaped(b, c);
      }
    }
    return b.toString();
  }

  static void appendEscaped(StringBuilder b, char c) {
    if (c == '\n' || c == '\t') {
      b.append(c);
    } else if (c < 0x20 || c == 0x7f) {
      b.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
    } else if ((c >= 0x80 && c < 0xa0) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      b.append("\\u").append(String.format("%04x", (int) c));
    } else {
      b.append(c);
    }
  }

  /** A print writer onto {@code out} that escapes everything written through it. */
  static PrintWriter printWriter(Writer out) {
    return new PrintWriter(new Escaping(out), true);
  }

  /** Escapes as it writes; a CR at the end of one write waits for the next to see whether LF follows. */
  private static final class Escaping extends FilterWriter {
    private boolean pendingCr;

    Escaping(Writer out) {
      super(out);
    }

    @Override
    public void write(int c) throws IOException {
      write(new char[] {(char) c}, 0, 1);
    }

    @Override
    public void write(String s, int off, int len) throws IOException {
      write(s.toCharArray(), off, len);
    }

    @Override
    public void write(char[] cs, int off, int len) throws IOException {
      StringBuilder b = new StringBuilder(len + 8);
      for (int i = off; i < off + len; i++) {
        char c = cs[i];
        if (pendingCr) {
          pendingCr = false;
          b.append(c == '\n' ? "\r" : "\\x0d");
        }
        if (c == '\r') {
          pendingCr = true;
        } else {
          appendEscaped(b, c);
        }
      }
      out.write(b.toString());
    }

    @Override
    public void flush() throws IOException {
      // a CR still waiting is kept: the line end it starts may come with the next write
      out.flush();
    }

    @Override
    public void close() throws IOException {
      if (pendingCr) {
        pendingCr = false;
        out.write("\\x0d");
      }
      out.close();
    }
  }
}

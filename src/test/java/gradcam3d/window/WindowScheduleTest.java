package gradcam3d.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The streamed schedule, checked by brute force against box overlaps: every window is forwarded and
 * explained once, explained in window order after every window overlapping it (and every earlier
 * window's overlaps) has been forwarded, waiting only for earlier steps; and it holds few windows.
 */
class WindowScheduleTest {
  static boolean overlap(WindowGrid g, int a, int b) {
    long[] sa = g.start(a);
    long[] sb = g.start(b);
    for (int i = 0; i < sa.length; i++) {
      if (sa[i] >= sb[i] + g.window()[i] || sb[i] >= sa[i] + g.window()[i]) {
        return false;
      }
    }
    return true;
  }

  static void check(WindowGrid g, int windowBatch) {
    WindowSchedule s = WindowSchedule.of(g, windowBatch);
    int n = g.size();
    int[] forwardedAt = new int[n];
    int[] forwardStep = new int[n];
    java.util.Arrays.fill(forwardedAt, -1);
    List<Integer> explained = new ArrayList<>();
    int forwards = 0;
    List<WindowSchedule.Step> steps = s.steps();
    for (int p = 0; p < steps.size(); p++) {
      WindowSchedule.Step step = steps.get(p);
      if (step.forward()) {
        assertEquals(forwards++, step.batch(), "forward steps in order");
        for (int t = step.batch() * windowBatch; t < Math.min(n, (step.batch() + 1) * windowBatch); t++) {
          forwardedAt[t] = p;
          forwardStep[t] = step.batch();
        }
        continue;
      }
      int t = step.window();
      assertEquals(explained.size(), t, "explained in window order");
      explained.add(t);
      assertTrue(step.after() < forwards, "waits only for an earlier forward step");
      for (int u = 0; u < n; u++) {
        if (overlap(g, t, u)) {
          assertTrue(forwardedAt[u] >= 0 && forwardStep[u] <= step.after(),
              "window " + t + " waits for overlapping window " + u);
        }
      }
    }
    assertEquals((n + windowBatch - 1) / windowBatch, forwards);
    assertEquals(n, explained.size());
  }

  @Test
  void explainsEachWindowAfterItsOverlapsAreBlended() {
    for (int batch : new int[] {1, 2, 3, 5}) {
      check(WindowGrid.of(new long[] {192, 192, 192}, new long[] {96, 96, 96}, 0.5), batch);
      check(WindowGrid.of(new long[] {40, 56, 48}, new long[] {24, 32, 32}, 0.5), batch);
      check(WindowGrid.of(new long[] {300, 200, 96}, new long[] {96, 96, 96}, 0.75), batch);
      check(WindowGrid.of(new long[] {20, 200, 130}, new long[] {32, 64, 64}, 0.25), batch);
      check(WindowGrid.of(new long[] {512, 512}, new long[] {96, 96}, 0.5), batch);
      check(WindowGrid.of(new long[] {96, 96, 96}, new long[] {96, 96, 96}, 0.5), batch);
    }
  }

  /** 3x3x3 windows with overlap 0.5: window t needs up to window t + 13 blended; 15 are held at most. */
  @Test
  void holdsFewWindows() {
    WindowGrid g = WindowGrid.of(new long[] {192, 192, 192}, new long[] {96, 96, 96}, 0.5);
    assertEquals(13, WindowSchedule.lastOverlapping(g, 0));
    assertEquals(26, WindowSchedule.lastOverlapping(g, 13));
    assertEquals(22, WindowSchedule.lastOverlapping(g, 18));
    assertEquals(15, WindowSchedule.of(g, 1).mostHeld(1, g.size()));
    // 512 x 512 x 256 with 96^3 windows: 5 x 10 x 10 windows; window i overlaps i + 1 and i + 2 along
    // the long axes (starts 46.2 apart), so about two slabs of 10 x 10 are held
    WindowGrid ct = WindowGrid.of(new long[] {256, 512, 512}, new long[] {96, 96, 96}, 0.5);
    int held = WindowSchedule.of(ct, 1).mostHeld(1, ct.size());
    System.out.printf("grid %s: %d windows, at most %d held%n", java.util.Arrays.toString(ct.counts()), ct.size(), held);
    assertEquals(2 * 100 + 2 * 10 + 2 + 2, held);
  }
}

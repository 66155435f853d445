package gradcam3d.output;

import gradcam3d.pipeline.CaseResult;
import gradcam3d.volume.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Times the pictures and report.html of the 512 x 512 x 300 {@link LargeScanCase} (not a test;
 * run by hand, numbers in docs/benchmarks.md): {@code java -cp ... gradcam3d.output.LargeScanBench [runs [keep]]};
 * with {@code keep}, the last run's pictures and report (both writers together) are copied into that
 * folder, to compare two builds' outputs byte for byte.
 */
public final class LargeScanBench {
  private LargeScanBench() {}

  /** CPU time of this process, all threads (under load, a steadier measure than wall time). */
  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Bytes allocated by every thread so far. */
  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
        .getTotalThreadAllocatedBytes();
  }

  /** Milliseconds spent in garbage collection so far. */
  private static long gcMs() {
    return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path keep = args.length > 1 ? Path.of(args[1]) : null;
    Path tmp = Files.createTempDirectory("gradcam3d-bench");
    try {
      long t0 = System.nanoTime();
      CaseResult r = LargeScanCase.make(tmp);
      System.out.printf("case made in %.2f s%n", (System.nanoTime() - t0) / 1e9);
      // the case's scan-sized arrays were just allocated: collected once here, so that the first
      // young collection inside a timed run does not copy them (in a real run they are long settled)
      System.gc();
      OutputSettings o = OutputSettings.into(tmp.resolve("out"));
      for (int run = 0; run < runs; run++) {
        Path dir = Files.createDirectories(tmp.resolve("run" + run));
        DisplayGrid.forgetShown();
        long a = System.nanoTime();
        long cpuA = cpu();
        PictureWriter p = new PictureWriter();
        p.beginInput(r.loaded(), Layout.ZYX, o);
        p.begin(r, o, dir);
        p.write(r, o, dir, new Written());
        long b = System.nanoTime();
        long cpuB = cpu();
        DisplayGrid.forgetShown();
        HtmlReportWriter h = new HtmlReportWriter();
        h.beginInput(r.loaded(), Layout.ZYX, o);
        h.begin(r, o, dir);
        h.write(r, o, dir, new Written());
        long c = System.nanoTime();
        long cpuC = cpu();
        // both, as ResultWriter runs them: side by side, sharing the scan's and maps' blocks
        DisplayGrid.forgetShown();
        long allocC = allocated();
        long gcC = gcMs();
        Path both = Files.createDirectories(tmp.resolve("both" + run));
        PictureWriter p2 = new PictureWriter();
        HtmlReportWriter h2 = new HtmlReportWriter();
        p2.beginInput(r.loaded(), Layout.ZYX, o);
        h2.beginInput(r.loaded(), Layout.ZYX, o);
        p2.begin(r, o, both);
        h2.begin(r, o, both);
        p2.write(r, o, both, new Written());
        h2.write(r, o, both, new Written());
        long d = System.nanoTime();
        long cpuD = cpu();
        long allocD = allocated();
        long gcD = gcMs();
        System.out.printf("run %d: pictures %.3f s (CPU %.3f s), report %.3f s (CPU %.3f s; page %.1f MB),"
            + " both together %.3f s (CPU %.3f s; allocated %.0f MB, GC %d ms), overlay %d B, montage %d B%n", run,
            (b - a) / 1e9,
            (cpuB - cpuA) / 1e9, (c - b) / 1e9, (cpuC - cpuB) / 1e9, Files.size(dir.resolve("report.html")) / 1e6,
            (d - c) / 1e9, (cpuD - cpuC) / 1e9, (allocD - allocC) / 1e6, gcD - gcC, Files.size(dir.resolve("overlay.png")),
            Files.size(dir.resolve("montage.png")));
        if (keep != null && run == runs - 1) {
          Files.createDirectories(keep);
          for (String f : new String[] {"overlay.png", "montage.png", "report.html"}) {
            Files.copy(both.resolve(f), keep.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      // a whole-scan run's region is a predicted class in the segmentation (one byte per voxel)
      gradcam3d.tensor.Labels labels = gradcam3d.tensor.Labels.of(r.label().mask());
      DisplayGrid grid = DisplayGrid.of(PictureWriter.frame(r, o));
      for (int run = 0; run < runs; run++) {
        DisplayGrid.forgetShown();
        long a = System.nanoTime();
        long cpuA = cpu();
        grid.applyClass(labels, 1);
        System.out.printf("class region from the segmentation: %.3f s (CPU %.3f s)%n", (System.nanoTime() - a) / 1e9,
            (cpu() - cpuA) / 1e9);
      }
    } finally {
      try (Stream<Path> s = Files.walk(tmp)) {
        s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}

package gradcam3d.pipeline;

import gradcam3d.tensor.FloatTensor;
import gradcam3d.volume.GridMapping;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.Map;

/**
 * docs/benchmarks.md's nnU-Net preprocessing measurement (not a test): reads a scan, runs the
 * chain of --nnunet-plans, brings a one-channel map and a two-class prediction back, and prints
 * each step's time and the heap's peak over the chain relative to the scan's float32 size.
 *
 * <pre>java -Xmx6g -XX:+UseSerialGC -cp target/classes:target/test-classes:DEPS \
 *     gradcam3d.pipeline.NnunetChainBench plans.json scan.nii.gz</pre>
 */
public final class NnunetChainBench {
  private NnunetChainBench() {}

  public static void main(String[] args) {
    NnunetPlans plans = NnunetPlans.read(Path.of(args[0]), "3d_fullres", null);
    long c0 = cpu();
    long t0 = System.nanoTime();
    Volume scan = VolumeIO.read(Path.of(args[1]), plans.preprocessing().layout(), 3);
    long t1 = System.nanoTime();
    long c1 = cpu();
    long scanBytes = (long) scan.tensor().size() * Float.BYTES;
    System.gc();
    long base = heapUsed();
    resetPeaks();
    long c2a = cpu();
    GridMapping grid = plans.preprocessing().grid().apply(scan);
    long t2 = System.nanoTime();
    long c2 = cpu();
    long chainPeak = heapPeak() - base;
    for (Map<String, Object> step : grid.describe()) {
      System.out.printf("  %-16s %8.0f ms  shape after %s%n", step.get("step"), ((Number) step.get("ms")).doubleValue(),
          java.util.Arrays.toString((long[]) step.get("shape_after")));
    }
    long[] m = grid.model().spatialShape();
    FloatTensor map = grid.model().tensor().reshape(1, m[0], m[1], m[2]);
    FloatTensor prediction = FloatTensor.zeros(1, 2, m[0], m[1], m[2]);
    System.arraycopy(map.data(), 0, prediction.data(), map.size(), map.size());
    System.gc();
    base = heapUsed();
    resetPeaks();
    long c3 = cpu();
    long t3 = System.nanoTime();
    FloatTensor camOnScan = grid.toScan(map);
    long t4 = System.nanoTime();
    long c4 = cpu();
    FloatTensor seg = ScanGrid.argmaxOnScan(prediction, grid, m);
    long t5 = System.nanoTime();
    long c5 = cpu();
    long backPeak = heapPeak() - base;
    System.out.printf("scan %s (%.0f MB float32), model grid %s%n", java.util.Arrays.toString(scan.spatialShape()),
        scanBytes / 1e6, java.util.Arrays.toString(m));
    System.out.printf("read %.0f ms; chain %.0f ms (heap peak above the scan %.2f x the scan); map back %.0f ms, "
        + "segmentation from 2 classes %.0f ms (heap peak above the scan and model grid %.2f x the scan)%n",
        (t1 - t0) / 1e6, (t2 - t1) / 1e6, chainPeak / (double) scanBytes, (t4 - t3) / 1e6, (t5 - t4) / 1e6,
        backPeak / (double) scanBytes);
    System.out.printf("CPU time: read %.0f ms, chain %.0f ms, map back %.0f ms, segmentation %.0f ms%n",
        (c1 - c0) / 1e6, (c2 - c2a) / 1e6, (c4 - c3) / 1e6, (c5 - c4) / 1e6);
    System.out.println(camOnScan.size() + seg.size() > 0 ? "" : "-");
  }

  /** The process's CPU time (every thread), ns. */
  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long heapUsed() {
    return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      p.resetPeakUsage();
    }
  }

  /** Sum of the heap pools' peaks (an upper bound of the heap's peak). */
  private static long heapPeak() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}

package gradcam3d.output;

import gradcam3d.AtomicFiles;
import java.nio.file.Path;
import java.util.List;

/**
 * A run that is stopped while it writes: opens a staging folder, says where, and waits; with
 * "busy", writer threads keep adding files to the staging folder meanwhile (as a result's
 * writers do), so the stop's cleanup races with them.
 */
final class StagingHolder {
  private StagingHolder() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 1 && args[1].equals("pair")) {
      // batch.csv and index.html written together; stopped while the page is being written
      Path out = Path.of(args[0]);
      java.util.Map<Path, AtomicFiles.Writer> files = new java.util.LinkedHashMap<>();
      files.put(out.resolve("batch.csv"), o -> o.write("case,status\r\n".getBytes()));
      files.put(out.resolve("index.html"), o -> {
        o.write("<!DOCTYPE html>".getBytes());
        System.out.println("writing");
        System.out.flush();
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      AtomicFiles.writeTogether(files);
      return;
    }
    ResultFolder f = ResultFolder.open(Path.of(args[0]), List.of());
    if (args.length > 1 && args[1].equals("busy")) {
      for (int t = 0; t < 3; t++) {
        int thread = t;
        Thread w = new Thread(() -> {
          byte[] bytes = new byte[64 << 10];
          for (int n = 0; ; n++) {
            try {
              AtomicFiles.write(f.staging().resolve("part" + thread + "-" + n + ".bin"), out -> out.write(bytes));
            } catch (RuntimeException e) {
              // the folder went away under the writer (the stop's cleanup): keep trying, as a writer would
            }
          }
        });
        w.setDaemon(true);
        w.start();
      }
      Thread.sleep(300);
    }
    System.out.println(f.staging());
    System.out.flush();
    Thread.sleep(60_000);
  }
}

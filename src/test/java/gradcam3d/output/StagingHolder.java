package gradcam3d.output;

import java.nio.file.Path;
import java.util.List;

/** A run that is stopped while it writes: opens a staging folder, says where, and waits. */
final class StagingHolder {
  private StagingHolder() {}

  public static void main(String[] args) throws InterruptedException {
    ResultFolder f = ResultFolder.open(Path.of(args[0]), List.of());
    System.out.println(f.staging());
    System.out.flush();
    Thread.sleep(60_000);
  }
}

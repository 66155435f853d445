package gradcam3d.cli;

import gradcam3d.cam.Progress;
import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work: a progress bar on an interactive terminal, plain lines (every 10%)
 * when output goes to a file or pipe, nothing with --quiet. Tasks nest: a task started inside
 * another (a case's metrics inside a batch's cases) pauses the outer one, which resumes with its
 * own count when the inner one finishes.
 */
final class ConsoleProgress implements Progress {
  private final PrintWriter err;
  private final boolean terminal;
  private ProgressBar bar;
  private String task;
  private long total;
  private long done;
  private int lastDecile;
  /** The outer tasks a nested start paused. */
  private final java.util.ArrayDeque<Object[]> outer = new java.util.ArrayDeque<>();

  private ConsoleProgress(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  static Progress create(boolean quiet, PrintWriter err) {
    return quiet ? Progress.NONE : new ConsoleProgress(err, System.console() != null);
  }

  @Override
  public void start(String task, long total) {
    if (this.task != null) {
      outer.push(new Object[] {bar, this.task, this.total, done, lastDecile});
      if (bar != null) {
        bar.pause();
        bar = null;
      }
    }
    this.task = task;
    this.total = total;
    this.done = 0;
    this.lastDecile = 0;
    if (terminal) {
      bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
          .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).build();
    } else {
      err.println(task + ": 0/" + total);
    }
  }

  @Override
  public void advance(long steps) {
    done += steps;
    if (bar != null) {
      bar.stepBy(steps);
      return;
    }
    int decile = total == 0 ? 10 : (int) (10 * done / total);
    if (decile > lastDecile && done < total) {
      lastDecile = decile;
      err.println(task + ": " + done + "/" + total);
    }
  }

  @Override
  public void finish() {
    if (bar != null) {
      bar.close();
      bar = null;
    } else if (task != null) {
      err.println(task + ": " + done + "/" + total + " done");
    }
    task = null;
    Object[] o = outer.poll();
    if (o != null) {
      bar = (ProgressBar) o[0];
      task = (String) o[1];
      total = (Long) o[2];
      done = (Long) o[3];
      lastDecile = (Integer) o[4];
      if (bar != null) {
        bar.resume();
      }
    }
  }
}

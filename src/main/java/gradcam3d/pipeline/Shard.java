package gradcam3d.pipeline;

import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The I-th of N deterministic shares of a case list, so that the N tasks of a job array cover a
 * cohort with no coordination. The cases are put in a stable order (by path text, so the order
 * of a folder listing or of the command line does not matter) and dealt round-robin: case k of
 * that order belongs to share {@code k mod N + 1}. Every case is in exactly one share and the
 * shares differ in size by at most one.
 *
 * @param index 1..count
 * @param count number of shares, at least 1
 */
public record Shard(int index, int count) {
  /** One share holding everything. */
  public static final Shard ALL = new Shard(1, 1);

  public Shard {
    if (count < 1 || index < 1 || index > count) {
      throw new OptionValueException(Setting.SHARD, Setting.SHARD.label() + " must be I/N with 1 <= I <= N, not "
          + index + "/" + count);
    }
  }

  /** Parses {@code I/N}, e.g. {@code 3/8} (SLURM: {@code $((SLURM_ARRAY_TASK_ID+1))/$SLURM_ARRAY_TASK_COUNT}). */
  public static Shard parse(String text) {
    String[] parts = text == null ? new String[0] : text.trim().split("/", -1);
    try {
      if (parts.length == 2) {
        return new Shard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
      }
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new OptionValueException(Setting.SHARD, Setting.SHARD.label()
        + " must be I/N with 1 <= I <= N (e.g. 2/4), not '" + text + "'");
  }

  /** The cases in the stable order every share agrees on: by key (path text), ties in input order. */
  public static <T> List<T> stableOrder(List<T> cases, Function<T, String> key) {
    List<T> sorted = new ArrayList<>(cases);
    sorted.sort(Comparator.comparing(key));
    return sorted;
  }

  /** Whether position {@code k} of the stable order belongs to this share. */
  public boolean holds(int k) {
    return k % count == index - 1;
  }

  /** This share's cases, in stable order. */
  public <T> List<T> select(List<T> cases, Function<T, String> key) {
    List<T> sorted = stableOrder(cases, key);
    List<T> mine = new ArrayList<>();
    for (int k = 0; k < sorted.size(); k++) {
      if (holds(k)) {
        mine.add(sorted.get(k));
      }
    }
    return mine;
  }

  @Override
  public String toString() {
    return index + "/" + count;
  }
}

package gradcam3d.spark;

import java.io.Serializable;
import java.util.List;

/**
 * One row of the case table, as the executors receive it.
 *
 * @param id the case's folder name under the output URI (unique, safe)
 * @param inputs input file URIs, stacked as channels
 * @param label true label URI, or null
 * @param mask target mask URI (explains the target class inside it), or null
 * @param target this case's target text, or null for the job's --target
 * @param labelProblem why a label asked for (--label-suffix) is missing, the case's error; or null
 */
public record CaseSpec(String id, List<String> inputs, String label, String mask, String target, String labelProblem)
    implements Serializable {
  public CaseSpec {
    inputs = List.copyOf(inputs);
  }

  public CaseSpec(String id, List<String> inputs, String label, String mask, String target) {
    this(id, inputs, label, mask, target, null);
  }

  /** The same case under another folder name. */
  CaseSpec named(String folder) {
    return new CaseSpec(folder, inputs, label, mask, target, labelProblem);
  }
}

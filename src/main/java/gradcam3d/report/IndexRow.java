package gradcam3d.report;

import java.util.Map;

/**
 * One case of a batch in index.html. Numbers are null when they do not apply (no label given, the
 * case failed); a failed case has an error and usually no report.
 *
 * @param reportHref the case's report.html relative to the index, or null
 * @param thumbnailPng a small picture of the case (e.g. its overlay.png), embedded; or null
 * @param metrics extra numbers, one column each (the union over all rows)
 */
public record IndexRow(String caseName, String reportHref, byte[] thumbnailPng, String target, Long regionVoxels,
    Double massInLabel, Map<String, Double> metrics, Double seconds, String error) {
  public IndexRow {
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
  }

  public boolean failed() {
    return error != null;
  }
}

package gradcam3d.volume;

import gradcam3d.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link GridChain} applied to one scan: the scan's grid, the model's grid and how arrays and
 * indices cross between them. Tensors are in the volume's layout order with the spatial axes last
 * ((C, *S), (B, *S), (*S)). Reorientation steps move voxels exactly, both ways.
 */
public final class GridMapping {
  private final Volume scan;
  private final Volume model;
  /** Per reorientation step, the map in tensor order and the spatial shape before it. */
  private final List<AxisMap> maps;
  private final List<long[]> shapesBefore;
  private final List<Map<String, Object>> record;

  private GridMapping(Volume scan, Volume model, List<AxisMap> maps, List<long[]> shapesBefore,
      List<Map<String, Object>> record) {
    this.scan = scan;
    this.model = model;
    this.maps = List.copyOf(maps);
    this.shapesBefore = List.copyOf(shapesBefore);
    this.record = List.copyOf(record);
  }

  /** The identity: the model sees the scan's own grid. */
  public static GridMapping identity(Volume scan) {
    return new GridMapping(scan, scan, List.of(), List.of(), List.of());
  }

  static GridMapping of(Volume scan, GridChain chain) {
    Volume v = scan;
    List<AxisMap> maps = new ArrayList<>();
    List<long[]> shapes = new ArrayList<>();
    List<Map<String, Object>> record = new ArrayList<>();
    for (GridChain.Step step : chain.steps()) {
      Map<String, Object> r = new LinkedHashMap<>(step.describe());
      if (step instanceof GridChain.Orient o) {
        Orientation before = v.orientation().orElse(null);
        AxisMap map = v.axisMapTo(o.codes());
        shapes.add(v.spatialShape());
        maps.add(map.inTensorOrder(v.layout()));
        v = v.reoriented(o.codes());
        r.put("from", before == null ? null : before.codes());
        r.put("shape_after", v.spatialShape());
      }
      record.add(r);
    }
    return new GridMapping(scan, v, maps, shapes, record);
  }

  /** The scan as read (its own grid, intensities as stored). */
  public Volume scan() {
    return scan;
  }

  /** The same voxels on the model's grid (not yet normalised). */
  public Volume model() {
    return model;
  }

  public boolean isIdentity() {
    return maps.isEmpty();
  }

  /** A tensor on the model grid (spatial axes last, tensor order) on the scan's grid: every voxel moved back exactly. */
  public FloatTensor toScan(FloatTensor onModelGrid) {
    FloatTensor t = onModelGrid;
    for (int i = maps.size() - 1; i >= 0; i--) {
      t = maps.get(i).inverse().apply(t);
    }
    return t;
  }

  /** A tensor on the scan's grid (a mask, a label) on the model's grid. */
  public FloatTensor toModel(FloatTensor onScanGrid) {
    FloatTensor t = onScanGrid;
    for (AxisMap m : maps) {
      t = m.apply(t);
    }
    return t;
  }

  /** A voxel of the scan (tensor-order spatial index) as a voxel of the model grid. */
  public long[] indexToModel(long[] scanIndex) {
    long[] index = scanIndex.clone();
    for (int i = 0; i < maps.size(); i++) {
      index = maps.get(i).indexAfter(index, shapesBefore.get(i));
    }
    return index;
  }

  /** What summary.json records: each step with what it did. */
  public List<Map<String, Object>> describe() {
    return record;
  }
}

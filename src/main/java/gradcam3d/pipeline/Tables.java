package gradcam3d.pipeline;

import gradcam3d.Gradcam3dException;
import gradcam3d.OptionValueException;
import gradcam3d.Setting;
import gradcam3d.metrics.AtlasTable;
import gradcam3d.metrics.ChannelShares;
import gradcam3d.tensor.Shapes;
import gradcam3d.volume.Volume;
import gradcam3d.volume.VolumeIO;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-structure and per-channel tables of one explained case: the final map's mass by atlas
 * label ({@link AtlasTable}, when an atlas is given) and the attribution's share by input channel
 * ({@link ChannelShares}, for methods with an input-space attribution). Either may be null.
 *
 * @param atlasFile the atlas as given, for reports
 */
public record Tables(AtlasTable atlas, String atlasFile, ChannelShares channels) {

  /**
   * The tables of a result.
   *
   * @param atlas a label map on the input's grid (same spatial shape, one channel), or null
   * @param names names of its values (null: "label VALUE")
   * @param channelNames names of the input channels (null: "channel K")
   */
  public static Tables of(CaseResult r, Path atlas, Map<Integer, String> names, List<String> channelNames) {
    AtlasTable table = null;
    if (atlas != null) {
      Volume like = r.loaded().volume();
      if (like == null) {
        throw new Gradcam3dException(Setting.ATLAS, Setting.ATLAS.label() + " needs a single-sample input");
      }
      Volume a = VolumeIO.read(atlas, r.settings().layout(), like.spatialShape().length).requireFinite();
      if (!Arrays.equals(a.spatialShape(), like.spatialShape()) || a.channels() != 1) {
        throw new Gradcam3dException("the atlas " + atlas + " has shape " + Shapes.format(a.tensor().shape())
            + " but the input's spatial shape is " + Shapes.format(like.spatialShape()));
      }
      table = AtlasTable.of(r.explanation().cam().view0(0).data(), a.tensor().data(), names);
    }
    ChannelShares channels = null;
    if (r.explanation().attribution() != null) {
      try {
        channels = ChannelShares.of(r.explanation().attribution().values(), channelNames);
      } catch (Gradcam3dException e) {
        throw new OptionValueException(e.getMessage());
      }
    }
    return table == null && channels == null ? null : new Tables(table, atlas == null ? null : atlas.toString(),
        channels);
  }

  /** summary.json's "atlas" (labels, largest share first) and "channels" blocks. */
  public Map<String, Object> toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    if (atlas != null) {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("file", atlasFile);
      a.put("map", "final map (cam), sample 0");
      a.put("total_mass", atlas.totalMass());
      List<Object> rows = new ArrayList<>();
      for (AtlasTable.Row row : atlas.rows()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", row.value());
        m.put("name", row.name());
        m.put("voxels", row.voxels());
        m.put("volume_share", row.volumeShare());
        m.put("mass", row.mass());
        m.put("mean", row.mean());
        m.put("share", row.share());
        m.put("share_over_volume_share", row.enrichment());
        rows.add(m);
      }
      a.put("labels", rows);
      out.put("atlas", a);
    }
    if (channels != null) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("names", channels.names());
      c.put("what", "share of sum |attribution| per input channel, per sample");
      List<Object> shares = new ArrayList<>();
      for (double[] s : channels.shares()) {
        shares.add(s);
      }
      c.put("shares", shares);
      out.put("channels", c);
    }
    return out;
  }
}

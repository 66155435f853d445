package gradcam3d.cam;

/** Where long work (perturbation passes, many volumes) reports how far it is. */
public interface Progress {
  Progress NONE = new Progress() {
    @Override
    public void start(String task, long total) {}

    @Override
    public void advance(long steps) {}

    @Override
    public void finish() {}
  };

  void start(String task, long total);

  void advance(long steps);

  void finish();
}

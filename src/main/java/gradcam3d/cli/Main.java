package gradcam3d.cli;

public final class Main {
  public static void main(String[] args) {
    System.out.println("gradcam3d");
  }
}

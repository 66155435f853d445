package gradcam3d.testing;

import gradcam3d.report.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless chromium driven over the Chrome DevTools protocol (a WebSocket from the JDK,
 * JSON from {@link Json}): no driver binary, no extra dependency. One browser, one page; it records
 * console errors, uncaught exceptions and every request the page makes.
 */
public final class Chromium implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private volatile boolean connected;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
  public final List<String> consoleErrors = Collections.synchronizedList(new ArrayList<>());
  public final List<String> requests = Collections.synchronizedList(new ArrayList<>());

  /** The system's chromium, if installed (.ci/run installs it). */
  public static Optional<Path> executable() {
    return Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
        .map(Path::of).filter(Files::isExecutable).findFirst();
  }

  /**
   * The browser, or the calling test class is skipped; .ci/run sets GRADCAM3D_REQUIRE_BROWSER=1 so
   * that CI fails instead of silently skipping.
   */
  public static Path executableOrSkip() {
    Optional<Path> found = executable();
    if (found.isEmpty() && "1".equals(System.getenv("GRADCAM3D_REQUIRE_BROWSER"))) {
      throw new IllegalStateException("GRADCAM3D_REQUIRE_BROWSER=1 but no chromium in /usr/bin");
    }
    Assumptions.assumeTrue(found.isPresent(), "chromium is not installed (.ci/run installs it)");
    return found.get();
  }

  public Chromium(Path executable) throws Exception {
    profile = Files.createTempDirectory("gradcam3d-chromium");
    process = new ProcessBuilder(executable.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-default-apps", "--disable-extensions", "--force-device-scale-factor=1",
        "--window-size=1400,900", "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    // a browser that never says where DevTools listens is stopped, so the test fails instead of hanging
    CompletableFuture<Void> started = new CompletableFuture<>();
    started.completeOnTimeout(null, TIMEOUT.toSeconds(), TimeUnit.SECONDS).thenRun(() -> {
      if (!connected) {
        process.destroyForcibly();
      }
    });
    String browserUrl = awaitDevTools();
    connected = true;
    URI browser = URI.create(browserUrl);
    HttpClient http = HttpClient.newHttpClient();
    String list = http.send(HttpRequest.newBuilder(URI.create("http://" + browser.getAuthority() + "/json/list"))
        .timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString()).body();
    String pageUrl = null;
    for (Object t : (List<?>) Json.parse(list)) {
      Map<?, ?> target = (Map<?, ?>) t;
      if ("page".equals(target.get("type"))) {
        pageUrl = (String) target.get("webSocketDebuggerUrl");
        break;
      }
    }
    if (pageUrl == null) {
      throw new IOException("chromium opened no page: " + list);
    }
    socket = http.newWebSocketBuilder().connectTimeout(TIMEOUT).buildAsync(URI.create(pageUrl), new Listener())
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    for (String domain : List.of("Page", "Runtime", "Log", "Network")) {
      send(domain + ".enable", Map.of());
    }
  }

  private String awaitDevTools() throws IOException {
    BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = err.readLine()) != null) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        Thread drain = new Thread(() -> {
          try {
            while (err.readLine() != null) {
              // keep the pipe empty so chromium never blocks on its log
            }
          } catch (IOException ignored) {
            // the browser went away
          }
        }, "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
        return m.group(1);
      }
      seen.append(line).append('\n');
    }
    throw new IOException("chromium exited before opening DevTools:\n" + seen);
  }

  /** One DevTools command; its result object. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> send(String method, Map<String, Object> params) {
    int id = ids.incrementAndGet();
    CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
    pending.put(id, reply);
    Map<String, Object> msg = new LinkedHashMap<>();
    msg.put("id", id);
    msg.put("method", method);
    msg.put("params", params);
    socket.sendText(Json.write(msg), true).join();
    try {
      Map<String, Object> r = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (r.containsKey("error")) {
        throw new IllegalStateException(method + ": " + r.get("error"));
      }
      return (Map<String, Object>) r.get("result");
    } catch (Exception e) {
      throw new IllegalStateException(method + " failed: " + e.getMessage(), e);
    } finally {
      pending.remove(id);
    }
  }

  /** Evaluates a JavaScript expression (awaiting a promise) and returns its JSON value. */
  @SuppressWarnings("unchecked")
  public Object eval(String expression) {
    Map<String, Object> r = send("Runtime.evaluate",
        Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
    if (r.containsKey("exceptionDetails")) {
      throw new IllegalStateException("script failed: " + r.get("exceptionDetails"));
    }
    return ((Map<String, Object>) r.get("result")).get("value");
  }

  public double number(String expression) {
    return ((Number) eval(expression)).doubleValue();
  }

  /** Opens a file and waits until the page says it is ready (data-ready on body) or fails. */
  public void open(Path file, String readyExpression) throws InterruptedException {
    consoleErrors.clear();
    requests.clear();
    // the old document must not answer "ready" while the new one is on its way
    eval("document.body && document.body.removeAttribute('data-ready')");
    send("Page.navigate", Map.of("url", file.toUri().toString()));
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Boolean.TRUE.equals(eval("!!document.body && (" + readyExpression + ")"))) {
        return;
      }
      if (!consoleErrors.isEmpty()) {
        throw new IllegalStateException("the page failed: " + consoleErrors);
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the page did not get ready: " + eval("document.getElementById('status')"
        + " ? document.getElementById('status').textContent : document.title"));
  }

  /** A real left click (press and release) at page coordinates. */
  public void click(double x, double y) {
    for (String type : List.of("mousePressed", "mouseReleased")) {
      send("Input.dispatchMouseEvent", Map.of("type", type, "x", x, "y", y, "button", "left", "clickCount", 1));
    }
  }

  /** A wheel turn over page coordinates (negative deltaY = away from the user). */
  public void wheel(double x, double y, double deltaY) {
    send("Input.dispatchMouseEvent", Map.of("type", "mouseWheel", "x", x, "y", y, "deltaX", 0, "deltaY", deltaY));
  }

  public byte[] screenshot() {
    return Base64.getDecoder().decode((String) send("Page.captureScreenshot",
        Map.of("format", "png")).get("data"));
  }

  @Override
  public void close() throws IOException {
    try {
      socket.abort();
    } finally {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try (Stream<Path> walk = Files.walk(profile)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder message = new StringBuilder();

    @Override
    @SuppressWarnings("unchecked")
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      message.append(data);
      if (last) {
        Map<String, Object> m = (Map<String, Object>) Json.parse(message.toString());
        message.setLength(0);
        Object id = m.get("id");
        if (id != null) {
          CompletableFuture<Map<String, Object>> f = pending.get(((Number) id).intValue());
          if (f != null) {
            f.complete(m);
          }
        } else {
          event((String) m.get("method"), (Map<String, Object>) m.get("params"));
        }
      }
      ws.request(1);
      return null;
    }

    @SuppressWarnings("unchecked")
    private void event(String method, Map<String, Object> p) {
      switch (method) {
        case "Runtime.consoleAPICalled" -> {
          if ("error".equals(p.get("type")) || "assert".equals(p.get("type"))) {
            consoleErrors.add("console." + p.get("type") + ": " + p.get("args"));
          }
        }
        case "Runtime.exceptionThrown" -> consoleErrors.add("exception: " + p.get("exceptionDetails"));
        case "Log.entryAdded" -> {
          Map<String, Object> entry = (Map<String, Object>) p.get("entry");
          if ("error".equals(entry.get("level"))) {
            consoleErrors.add("log: " + entry.get("text") + " " + entry.getOrDefault("url", ""));
          }
        }
        case "Network.requestWillBeSent" -> requests.add((String) ((Map<String, Object>) p.get("request")).get("url"));
        default -> { }
      }
    }
  }
}

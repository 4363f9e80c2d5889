package dev.embedstore.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.it.LauncherIT.Run;
import dev.embedstore.lucene.LuceneVectorStore;
import dev.embedstore.onnx.BundledModel;
import dev.embedstore.onnx.OnnxEmbedder;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The search page in a real browser: {@code ./embedstore serve} as a child process on a small
 * store, driven in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code .ci/run} installs) through WebDriver. Nothing reaches the network: the driver and the
 * browser are given by path (Selenium Manager never runs), and the page loads from 127.0.0.1 only.
 */
class ServeBrowserIT {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir Path tmp;

  @Test
  void typeSeeSwitchModeFilterAndShareALink() throws Exception {
    assertTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "this test needs Debian's chromium and chromium-driver: apt-get install -y chromium"
            + " chromium-driver (.ci/run installs them)");
    Path docs = tmp.resolve("docs.jsonl");
    Files.writeString(
        docs,
        String.join(
            "\n",
            "{\"id\":\"espresso\",\"title\":\"Espresso\",\"text\":\"Espresso is brewed by forcing"
                + " hot water through finely ground coffee beans.\",\"metadata\":{\"topic\":\"coffee\",\"year\":2021}}",
            "{\"id\":\"tea\",\"title\":\"Green tea\",\"text\":\"Green tea leaves are steamed or"
                + " pan-fired soon after picking to stop oxidation.\",\"metadata\":{\"topic\":\"tea\",\"year\":2019}}",
            "{\"id\":\"rust\",\"title\":\"Rust ownership\",\"text\":\"The borrow checker in Rust"
                + " enforces ownership rules at compile time.\",\"metadata\":{\"topic\":\"programming\",\"year\":2020}}",
            "{\"id\":\"tomato\",\"title\":\"Growing tomatoes\",\"text\":\"Tomatoes need full sun,"
                + " regular water and well-drained soil; prune the side shoots.\",\"metadata\":{\"topic\":\"garden\",\"year\":2021}}",
            "{\"id\":\"mocha\",\"title\":\"Mocha\",\"text\":\"A mocha is espresso with chocolate"
                + " and steamed milk, a sweet coffee drink.\",\"metadata\":{\"topic\":\"coffee\",\"year\":2018}}"));
    Path store = tmp.resolve("store");
    Run indexed = LauncherIT.embedstore("index", docs.toString(), "--store", store.toString());
    assertEquals(0, indexed.exitCode(), indexed.stderr());

    ProcessBuilder pb =
        new ProcessBuilder(
                LauncherIT.ROOT.resolve("embedstore").toString(),
                "serve",
                "--store",
                store.toString(),
                "--port",
                "0")
            .directory(LauncherIT.ROOT.toFile())
            .redirectError(tmp.resolve("serve-err.txt").toFile());
    pb.environment().remove("JAVA_HOME");
    Process serve = pb.start();
    ChromeDriver driver = null;
    try {
      String url;
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
        url = out.readLine();
        assertTrue(
            url != null && url.startsWith("http://127.0.0.1:"),
            "serve printed " + url + "; stderr: " + Files.readString(tmp.resolve("serve-err.txt")));

        driver = startBrowser(tmp.resolve("profile"));
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        driver.get(url);
        wait.until(d -> d.findElement(By.id("store-line")).getText().contains("5 documents"));
        assertFalse(
            driver.findElement(By.id("token-box")).isDisplayed(), "no token is asked for here");

        // Type a query: results come as you type, the expected hit first, with the time taken.
        WebElement q = driver.findElement(By.id("q"));
        q.sendKeys("how do I make coffee");
        ChromeDriver d0 = driver;
        wait.until(d -> firstHit(d0).equals("espresso") || firstHit(d0).equals("mocha"));
        assertTrue(List.of("espresso", "mocha").contains(firstHit(driver)));
        wait.until(d -> d.findElement(By.id("status")).getText().contains("ms"));
        assertTrue(
            driver.findElement(By.id("status")).getText().matches(".*hits? · search .* ms.*"));
        assertTrue(
            driver.getCurrentUrl().contains("q=how+do+I+make+coffee"), driver.getCurrentUrl());

        // Switch to keyword mode: the query's words are marked in the snippet.
        q.clear();
        q.sendKeys("borrow checker");
        driver.findElement(By.cssSelector("label[data-mode=keyword]")).click();
        wait.until(
            d ->
                firstHit(d0).equals("rust")
                    && !d.findElements(By.cssSelector(".hit mark")).isEmpty());
        assertEquals(
            "borrow",
            driver.findElement(By.cssSelector(".hit mark")).getText().toLowerCase(Locale.ROOT));
        assertTrue(driver.getCurrentUrl().contains("mode=keyword"), driver.getCurrentUrl());

        // Apply a filter offered from the store's metadata fields.
        driver.findElement(By.cssSelector("label[data-mode=vector]")).click();
        q.clear();
        q.sendKeys("a hot drink");
        new Select(driver.findElement(By.id("filter-field"))).selectByValue("topic");
        new Select(driver.findElement(By.id("filter-op"))).selectByValue("=");
        driver.findElement(By.id("filter-value")).sendKeys("tea");
        driver.findElement(By.id("filter-add")).click();
        wait.until(d -> hits(d0).equals(List.of("tea")));
        assertTrue(driver.findElement(By.cssSelector(".chip")).getText().startsWith("topic=tea"));
        assertTrue(driver.getCurrentUrl().contains("filter=topic%3Dtea"), driver.getCurrentUrl());

        // Open a shared link: the search in it runs on load, in its mode.
        driver.get(url + "?q=sunny+soil+for+tomatoes&mode=hybrid");
        wait.until(d -> firstHit(d0).equals("tomato"));
        assertEquals(
            "sunny soil for tomatoes", driver.findElement(By.id("q")).getAttribute("value"));
        assertTrue(
            driver
                .findElement(By.cssSelector("label[data-mode=hybrid]"))
                .getAttribute("class")
                .contains("on"));
        assertTrue(
            driver.findElements(By.cssSelector(".hit mark")).size() > 0, "hybrid marks words");

        driver.get(url + "?q=coffee&mode=hybrid");
        wait.until(d -> hits(d0).size() >= 2);
        Path shots = Path.of("target");
        Files.createDirectories(shots);
        Path desktop = shots.resolve("serve-browser.png");
        Files.copy(
            driver.getScreenshotAs(OutputType.FILE).toPath(),
            desktop,
            StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(desktop) > 10_000, "a screenshot of the page");

        // At phone width nothing is wider than the screen.
        driver.manage().window().setSize(new Dimension(390, 844));
        wait.until(
            d ->
                ((Number) ((JavascriptExecutor) d).executeScript("return window.innerWidth"))
                        .intValue()
                    <= 400);
        long overflow =
            ((Number)
                    driver.executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"))
                .longValue();
        assertEquals(0, overflow, "the page scrolls sideways at phone width");
        Files.copy(
            driver.getScreenshotAs(OutputType.FILE).toPath(),
            shots.resolve("serve-phone.png"),
            StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      if (driver != null) {
        driver.quit();
      }
      serve.destroy(); // SIGTERM: the server closes the store cleanly
      if (!serve.waitFor(60, TimeUnit.SECONDS)) {
        serve.destroyForcibly();
      }
    }
    // The store's write lock was released: a writer opens it at once.
    try (OnnxEmbedder model = OnnxEmbedder.bundled(BundledModel.DEFAULT);
        LuceneVectorStore s = LuceneVectorStore.open(store, model)) {
      assertEquals(5, s.count());
    }
  }

  @Test
  void serveRefusesAnotherHostWithoutATokenBeforeOpeningAnything() throws Exception {
    Run open =
        LauncherIT.embedstore(
            "serve", "--store", tmp.resolve("none").toString(), "--host", "0.0.0.0", "--port", "0");
    assertEquals(1, open.exitCode(), open.stderr());
    assertTrue(
        open.stderr().contains("error: refusing to serve on 0.0.0.0 without a token"),
        open.stderr());
    Run noStore =
        LauncherIT.embedstore(
            "serve",
            "--store",
            tmp.resolve("none").toString(),
            "--host",
            "0.0.0.0",
            "--token",
            "t");
    assertEquals(1, noStore.exitCode(), noStore.stderr());
    assertTrue(noStore.stderr().contains("no store at"), noStore.stderr());
  }

  static ChromeDriver startBrowser(Path profile) throws Exception {
    Files.createDirectories(profile);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--window-size=1280,900",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  /** The ids of the result cards, read in one script (the list is redrawn as results come). */
  @SuppressWarnings("unchecked")
  static List<String> hits(org.openqa.selenium.WebDriver d) {
    return (List<String>)
        ((JavascriptExecutor) d)
            .executeScript(
                "return Array.from(document.querySelectorAll('#results .hit-id code'),"
                    + " e => e.textContent)");
  }

  static String firstHit(org.openqa.selenium.WebDriver d) {
    List<String> h = hits(d);
    return h.isEmpty() ? "" : h.get(0);
  }
}

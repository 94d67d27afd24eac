package dev.herald.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * One headless Debian Chromium for a test class, driven by Debian's chromedriver, both named by path
 * so that Selenium Manager never looks for (or downloads) a browser:
 * <pre>{@code
 * @RegisterExtension
 * static final Browser browser = new Browser();
 * }</pre>
 * Missing packages fail the class (never skip it). A failed test leaves a screenshot of every open
 * window in {@code target/browser-screenshots/}.
 */
public final class Browser implements BeforeAllCallback, AfterAllCallback, TestWatcher {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "browser-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private ChromeDriverService service;
    private ChromeDriver driver;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        for (Path executable : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(executable)) {
                throw new AssertionError(executable + " is missing: the browser tests need Debian's chromium and "
                        + "chromium-driver (apt-get install -y chromium chromium-driver; .ci/run installs them)");
            }
        }
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // root in a container has no user namespace for Chromium's sandbox
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--no-first-run", "--disable-extensions", "--disable-background-networking");
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (driver != null) {
            driver.quit();
            driver = null;
        }
        if (service != null) {
            service.stop();
            service = null;
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (driver == null) {
            return;
        }
        String name = context.getRequiredTestClass().getSimpleName() + "-" + context.getDisplayName().replaceAll("[^A-Za-z0-9_-]+", "_");
        try {
            Files.createDirectories(SCREENSHOTS);
            String current = driver.getWindowHandle();
            int i = 0;
            for (String window : driver.getWindowHandles()) {
                driver.switchTo().window(window);
                File shot = driver.getScreenshotAs(OutputType.FILE);
                Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + "-" + i++ + ".png"), StandardCopyOption.REPLACE_EXISTING);
            }
            driver.switchTo().window(current);
        } catch (IOException | RuntimeException e) {
            System.err.println("no screenshot of " + name + ": " + e);
        }
    }

    public WebDriver driver() {
        if (driver == null) {
            throw new IllegalStateException("no browser: register the Browser extension on a static field");
        }
        return driver;
    }

    /** Waits (at most 30 s) until {@code condition} answers something other than null or false. */
    public <T> T await(String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver(), WAIT).withMessage(what).until(condition);
    }

    public Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver()).executeScript(script, args);
    }

    /** Runs {@code script} with {@code done} (its last argument) to call with the result. */
    public Object asyncScript(String script, Object... args) {
        return ((JavascriptExecutor) driver()).executeAsyncScript(script, args);
    }

    public WebElement find(String css) {
        return driver().findElement(By.cssSelector(css));
    }

    public List<WebElement> findAll(String css) {
        return driver().findElements(By.cssSelector(css));
    }

    /** A PNG of the current window, for the README. */
    public void screenshot(Path to) throws IOException {
        Files.createDirectories(to.toAbsolutePath().getParent());
        Files.write(to, ((TakesScreenshot) driver()).getScreenshotAs(OutputType.BYTES));
    }

    /** Clears the origin's sessionStorage, localStorage and cookies, so that the next load starts signed out. */
    public void forget() {
        script("sessionStorage.clear(); localStorage.clear();");
        driver().manage().deleteAllCookies();
    }

    static {
        // the Selenium Manager is never wanted here (the paths above are used); keep it quiet and offline
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    }
}

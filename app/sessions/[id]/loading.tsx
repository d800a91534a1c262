import styles from "../sessions.module.css";

export default function LoadingSession() {
  return (
    <div aria-busy="true">
      <p role="status" className="visually-hidden">
        Loading the session…
      </p>
      <span className={styles.skeleton} style={{ width: "18rem", height: "2rem", marginBottom: "0.5rem" }} />
      <span className={styles.skeleton} style={{ width: "12rem", marginBottom: "1.5rem" }} />
      <span className={styles.skeleton} style={{ height: "4.5rem", marginBottom: "1.5rem" }} />
      {Array.from({ length: 5 }, (_, i) => (
        <span key={i} className={styles.skeleton} style={{ height: "1.75rem", marginBottom: "0.5rem" }} />
      ))}
    </div>
  );
}

import styles from "../sessions.module.css";

export default function Loading() {
  return (
    <div aria-busy="true">
      <p role="status" className="visually-hidden">
        Loading the class sessions…
      </p>
      <span className={styles.skeleton} style={{ width: "14rem", height: "2rem", marginBottom: "1.5rem" }} />
      {Array.from({ length: 4 }, (_, i) => (
        <span key={i} className={styles.skeleton} style={{ marginBottom: "0.75rem" }} />
      ))}
    </div>
  );
}

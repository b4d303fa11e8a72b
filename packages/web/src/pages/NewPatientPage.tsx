import { useNavigate } from 'react-router-dom';
import { PatientForm } from '../components/PatientForm';

export function NewPatientPage() {
  const navigate = useNavigate();
  return (
    <section className="page">
      <h1>New patient</h1>
      <PatientForm
        patient={null}
        onSaved={(patient) => navigate(`/patients/${patient.id}`, { replace: true })}
        onCancel={() => navigate('/patients')}
      />
    </section>
  );
}
